/** The simulator kit's record store and route table, on their own. */
import { describe, expect, it } from 'vitest';
import { RecordStore } from '../../testing/records.js';
import { routeTable } from '../../testing/router.js';
import type { SimRequest } from '../../testing/server.js';

interface Rec {
  readonly id: string;
  at: number;
}

describe('RecordStore', () => {
  it('keeps records by id and in creation order', () => {
    const store = new RecordStore<Rec>();
    expect(store.size).toBe(0);
    const a = store.add({ id: 'a', at: 2 });
    store.add({ id: 'b', at: 1 });
    expect(store.size).toBe(2);
    expect(store.get('a')).toBe(a);
    expect(store.get('z')).toBeUndefined();
    expect(store.all().map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('sorts with ties in creation order, filters, and caches until an add or a change', () => {
    const store = new RecordStore<Rec>();
    for (const [id, at] of [['a', 2], ['b', 1], ['c', 2], ['d', 3]] as const) store.add({ id, at });
    const byAt = (x: Rec, y: Rec) => x.at - y.at;
    const first = store.sorted('at', byAt);
    expect(first.map((r) => r.id)).toEqual(['b', 'a', 'c', 'd']);
    expect(store.sorted('at', byAt)).toBe(first);
    expect(store.sorted('desc', (x, y) => y.at - x.at).map((r) => r.id)).toEqual(['d', 'a', 'c', 'b']);
    expect(store.sorted('late', undefined, (r) => r.at >= 2).map((r) => r.id)).toEqual(['a', 'c', 'd']);
    expect(store.sorted('all', undefined).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    const version = store.version;
    store.get('b')!.at = 5;
    store.changed();
    expect(store.version).toBe(version + 1);
    const again = store.sorted('at', byAt);
    expect(again).not.toBe(first);
    expect(again.map((r) => r.id)).toEqual(['a', 'c', 'd', 'b']);
    store.add({ id: 'e', at: 0 });
    expect(store.version).toBe(version + 2);
    expect(store.sorted('at', byAt)[0]!.id).toBe('e');
  });

  it('keeps at most 16 cached orders, dropping the oldest', () => {
    const store = new RecordStore<Rec>();
    store.add({ id: 'a', at: 1 });
    const first = store.sorted('k0', undefined);
    for (let k = 1; k < 16; k++) store.sorted(`k${k}`, undefined);
    expect(store.sorted('k0', undefined)).toBe(first);
    store.sorted('k16', undefined);
    expect(store.sorted('k0', undefined)).not.toBe(first);
    expect(store.sorted('k16', undefined)).toBe(store.sorted('k16', undefined));
  });
});

describe('routeTable', () => {
  const request = (method: string, path: string, token = 'ok'): SimRequest => ({ method, path, headers: { token }, query: new URLSearchParams(), body: undefined, ip: '127.0.0.1' }) as never;
  const calls: string[] = [];
  const answer = routeTable(
    [
      { method: 'POST', path: '/login', open: true, run: () => ({ status: 200, body: 'login' }) },
      { method: 'GET', path: '/things', run: () => ({ status: 200, body: 'list' }) },
      { method: 'GET', path: /^\/things\/(\w+)(?:\/(\w+))?$/, run: (_r, params) => ({ status: 200, body: params.join('|') }) },
    ],
    {
      authorize: (r) => (calls.push(r.path), r.headers['token'] === 'ok' ? undefined : { status: 401, body: 'who' }),
      notFound: () => ({ status: 404, body: 'none' }),
      wrongMethod: () => ({ status: 405, body: 'method' }),
    },
  );

  it('routes by method and path, with the pattern’s groups as parameters', () => {
    expect(answer(request('GET', '/things'))).toEqual({ status: 200, body: 'list' });
    expect(answer(request('GET', '/things/a1'))).toEqual({ status: 200, body: 'a1|' });
    expect(answer(request('GET', '/things/a1/b2'))).toEqual({ status: 200, body: 'a1|b2' });
    expect(answer(request('GET', '/thingsx'))).toEqual({ status: 404, body: 'none' });
  });

  it('authorizes every route but the open ones, and unknown paths too', () => {
    calls.length = 0;
    expect(answer(request('POST', '/login', 'bad'))).toEqual({ status: 200, body: 'login' });
    expect(calls).toEqual([]);
    expect(answer(request('GET', '/things', 'bad'))).toEqual({ status: 401, body: 'who' });
    expect(answer(request('GET', '/nowhere', 'bad'))).toEqual({ status: 401, body: 'who' });
    expect(answer(request('DELETE', '/things', 'bad'))).toEqual({ status: 401, body: 'who' });
  });

  it('answers another method on a known path with wrongMethod, else notFound', () => {
    expect(answer(request('DELETE', '/things'))).toEqual({ status: 405, body: 'method' });
    expect(answer(request('GET', '/login'))).toEqual({ status: 405, body: 'method' });
    const plain = routeTable([{ method: 'GET', path: '/a', run: () => ({ status: 200 }) }], { notFound: () => ({ status: 404 }) });
    expect(plain(request('POST', '/a'))).toEqual({ status: 404 });
    expect(plain(request('GET', '/a'))).toEqual({ status: 200 });
  });
});
