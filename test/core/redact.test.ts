/** The redaction primitives: exact masks, exact scrubbing, sanitized causes. */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';

import { Redactor, errorCode, maskPhonesIn, sanitizeCause } from '../../src/redact.js';
import { maskPhone } from '../../src/redact.js';

describe('maskPhone', () => {
  it('keeps the first six characters and the last two', () => {
    expect(maskPhone('+491701234567')).toBe('+49170*****67');
    expect(maskPhone('+4917012345678')).toBe('+49170******78');
    expect(maskPhone('491701234567')).toBe('491701****67');
    expect(maskPhone('+123456789')).toBe('+12345**89');
  });

  it('masks short numbers whole', () => {
    expect(maskPhone('12345678')).toBe('********');
    expect(maskPhone('+1234567')).toBe('********');
    expect(maskPhone('123')).toBe('***');
    expect(maskPhone('')).toBe('');
  });
});

describe('maskPhonesIn', () => {
  it('masks every run of 7 to 15 digits, with or without +', () => {
    expect(maskPhonesIn('to +491701234567 and 491709876543, not 123456')).toBe('to +49170*****67 and 491709****43, not 123456');
    expect(maskPhonesIn('/verify_codes?phone=%2B491701234567')).toBe('/verify_codes?phone=%2B491701****67');
    expect(maskPhonesIn('1234567')).toBe('*******');
    expect(maskPhonesIn('no numbers here')).toBe('no numbers here');
  });
});

describe('Redactor', () => {
  it('replaces every occurrence of every secret', () => {
    const r = new Redactor(['secret-one', 'tok', undefined]);
    expect(r.scrub('secret-one and secret-one, tok!')).toBe('[redacted] and [redacted], [redacted]!');
    expect(r.scrub('nothing to hide')).toBe('nothing to hide');
  });

  it('without secrets, changes nothing', () => {
    expect(new Redactor().scrub('Stryker was here, and so was everyone')).toBe('Stryker was here, and so was everyone');
  });

  it('ignores secrets shorter than 3 characters', () => {
    const r = new Redactor(['ab', '']);
    r.add('x');
    expect(r.scrub('ab x a')).toBe('ab x a');
  });

  it('forgets a removed secret, and with() makes a copy that knows more', () => {
    const r = new Redactor(['first-secret']);
    const copy = r.with('call-code', undefined);
    expect(copy.scrub('first-secret call-code')).toBe('[redacted] [redacted]');
    expect(r.scrub('first-secret call-code')).toBe('[redacted] call-code');
    r.remove('first-secret');
    r.remove(undefined);
    expect(r.scrub('first-secret')).toBe('first-secret');
    expect(copy.scrub('first-secret')).toBe('[redacted]');
  });

  it('forLog scrubs, then masks phone numbers', () => {
    const r = new Redactor(['9876543210']);
    expect(r.forLog('key 9876543210 to +491701234567')).toBe('key [redacted] to +49170*****67');
  });

  it('never shows its secrets when serialized or inspected', () => {
    const r = new Redactor(['the-secret-value']);
    expect(JSON.stringify({ r })).toBe('{"r":"[Redactor]"}');
    expect(inspect(r)).toBe('[Redactor]');
    expect(inspect({ r }, { depth: 10, showHidden: true })).not.toContain('the-secret-value');
  });
});

describe('sanitizeCause', () => {
  it('keeps the name, the scrubbed message and the code, and nothing else', () => {
    const original = Object.assign(new TypeError('fetch failed for key-123456'), { code: 'ECONNRESET', request: { headers: { auth: 'key-123456' } } });
    const copy = sanitizeCause(original, new Redactor(['key-123456']));
    expect(copy).toBeInstanceOf(Error);
    expect(copy.name).toBe('TypeError');
    expect(copy.message).toBe('fetch failed for [redacted]');
    expect(copy.stack).toBe('TypeError: fetch failed for [redacted]');
    expect((copy as Error & { code?: string }).code).toBe('ECONNRESET');
    expect(Object.keys(copy)).toEqual(['name', 'code']);
  });

  it('wraps a thrown non-error and leaves out a missing code', () => {
    const copy = sanitizeCause('plain text key-123456', new Redactor(['key-123456']));
    expect(copy.message).toBe('plain text [redacted]');
    expect(copy.name).toBe('Error');
    expect(Object.keys(copy)).toEqual(['name']);
  });
});

describe('errorCode', () => {
  it('finds a code on the error or up to three causes down', () => {
    expect(errorCode(Object.assign(new Error('x'), { code: 'EAI_AGAIN' }))).toBe('EAI_AGAIN');
    const deep = new Error('a', { cause: new Error('b', { cause: new Error('c', { cause: Object.assign(new Error('d'), { code: 'ENOTFOUND' }) }) }) });
    expect(errorCode(deep)).toBe('ENOTFOUND');
    const tooDeep = new Error('0', { cause: deep });
    expect(errorCode(tooDeep)).toBeUndefined();
    expect(errorCode(Object.assign(new Error('x'), { code: 42 }))).toBeUndefined();
    expect(errorCode('ECONNREFUSED')).toBeUndefined();
    expect(errorCode(null)).toBeUndefined();
  });

  it('terminates on a cyclic cause chain', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(errorCode(a)).toBeUndefined();
  });
});
