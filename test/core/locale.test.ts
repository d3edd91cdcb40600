/** The one language rule (src/locale.ts): where a start's language comes from, and how it is reduced to a vendor's. */
import { describe, expect, it } from 'vitest';
import { FALLBACK_LANGUAGE, decideLocale, languageOfNumber, reduceLocale } from '../../src/locale.js';

describe('languageOfNumber', () => {
  it.each([
    ['+12025550123', 'en'], // a 1-digit code
    ['+79161234567', 'ru'],
    ['+447700900123', 'en'], // 2 digits
    ['+491701234567', 'de'],
    ['+48601234567', 'pl'],
    ['+5511912345678', 'pt'],
    ['+351912345678', 'pt'], // 3 digits
    ['+380501234567', 'uk'],
    ['+420601234567', 'cs'],
    ['+998901234567', 'uz'], // the table's last entry
    ['+212612345678', 'ar'], // its first 3-digit entry
  ])('%s → %s', (to, language) => {
    expect(languageOfNumber(to)).toBe(language);
  });

  it('is undefined for an e-mail address, a calling code not in the table, or something not E.164', () => {
    expect(languageOfNumber({ email: 'ann@example.com' })).toBeUndefined();
    expect(languageOfNumber('+6912345')).toBeUndefined(); // 69x is no calling code
    expect(languageOfNumber('+888123456')).toBeUndefined();
    expect(languageOfNumber('491701234567')).toBeUndefined();
    expect(languageOfNumber('')).toBeUndefined();
  });
});

describe('reduceLocale', () => {
  const lox24 = ['en', 'de', 'pt', 'uk'];
  it('keeps a supported tag, drops subtags until one is supported, then falls back to en', () => {
    expect(reduceLocale('de', lox24)).toBe('de');
    expect(reduceLocale('DE', lox24)).toBe('de');
    expect(reduceLocale('pt-BR', lox24)).toBe('pt');
    expect(reduceLocale('de-Latn-AT', lox24)).toBe('de');
    expect(reduceLocale('ja', lox24)).toBe('en');
    expect(reduceLocale('ja-JP', lox24)).toBe('en');
  });

  it('prefers the longest supported prefix', () => {
    expect(reduceLocale('pt-BR', ['pt', 'pt-br', 'en'])).toBe('pt-br');
    expect(reduceLocale('pt-PT', ['pt', 'pt-br', 'en'])).toBe('pt');
  });

  it('without English, the first supported language', () => {
    expect(reduceLocale('ja', ['de', 'fr'])).toBe('de');
    expect(FALLBACK_LANGUAGE).toBe('en');
  });
});

describe('decideLocale', () => {
  const supported = ['en', 'de', 'fr', 'pl'];
  it('reads the request, else defaultLocale, else the number, else en — each reduced', () => {
    expect(decideLocale({ requested: 'fr-CH', fallback: 'de', to: '+48601234567' }, supported)).toBe('fr');
    expect(decideLocale({ requested: undefined, fallback: 'de-AT', to: '+48601234567' }, supported)).toBe('de');
    expect(decideLocale({ requested: undefined, fallback: undefined, to: '+48601234567' }, supported)).toBe('pl');
    expect(decideLocale({ requested: undefined, fallback: undefined, to: '+302101234567' }, supported)).toBe('en');
    expect(decideLocale({ requested: undefined, fallback: undefined, to: { email: 'a@b.example' } }, supported)).toBe('en');
    expect(decideLocale({ requested: undefined, fallback: undefined, to: '+6912345' }, ['de', 'fr'])).toBe('de');
  });

  it('does not fall through to the next source when the first is unsupported: the chain ends in en', () => {
    expect(decideLocale({ requested: 'ja', fallback: 'de', to: '+48601234567' }, supported)).toBe('en');
  });
});
