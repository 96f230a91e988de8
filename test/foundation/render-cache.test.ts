// The cache of rendered items (src/graph/render-cache.ts): an item is found under its store, generation, shape, id
// and version only; the cache holds 64 MB, and eviction gives an item read since it was placed a second chance.
// The items of kept pages (src/graph/kept-pages.ts) are found by the page's rows and shape, within 32 MB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepPageItems, keptPageItems } from '../../src/graph/kept-pages.js';
import { cachedRender, keepRender, renderScope } from '../../src/graph/render-cache.js';
import { RenderedItem, replyPayload } from '../../src/graph/rendered-item.js';
import { openStore, type Store } from '../../src/store/open.js';

const MB = 1024 * 1024;

describe('render cache', () => {
  let a: Store;
  let b: Store;
  beforeAll(async () => {
    a = await openStore({ location: ':memory:', readers: false });
    b = await openStore({ location: ':memory:', readers: false });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('finds an item under the same store, shape, id and version only', () => {
    const bytes = Buffer.from('{"id":"x"}');
    keepRender(renderScope(a, 'user:list'), 'x', 7, bytes);
    expect(cachedRender(renderScope(a, 'user:list'), 'x', 7)).toBe(bytes);
    expect(cachedRender(renderScope(a, 'user:list'), 'x', 8)).toBeUndefined();
    expect(cachedRender(renderScope(a, 'user:entity'), 'x', 7)).toBeUndefined();
    expect(cachedRender(renderScope(b, 'user:list'), 'x', 7)).toBeUndefined();
    expect(cachedRender(renderScope(a, 'user:list'), 'y', 7)).toBeUndefined();
  });

  it('holds 64 MB: the oldest unread item goes first, an item read since it was placed is passed over once', () => {
    // One buffer for every entry: the cache counts each entry's bytes, the test allocates them once.
    const big = Buffer.alloc(3 * MB, 0x20);
    const scope = renderScope(a, 'eviction');
    keepRender(scope, 'first', 1, big);
    keepRender(scope, 'second', 1, big);
    expect(cachedRender(scope, 'first', 1)).toBe(big);
    for (let i = 0; i < 20; i++) keepRender(scope, `filler-${i}`, 1, big);
    // 22 items of 3 MB and a little: one had to go. 'first' was read, so the clock passed it over and took 'second'.
    const held = (id: string) => cachedRender(scope, id, 1) === big;
    expect(held('second')).toBe(false);
    expect(held('first')).toBe(true);
    expect(Array.from({ length: 20 }, (_, i) => held(`filler-${i}`))).toEqual(Array(20).fill(true));
  });

  it('keeps an item placed through a scope that eviction let go of meanwhile', () => {
    const big = Buffer.alloc(3 * MB, 0x20);
    const stale = renderScope(a, 'short-lived');
    keepRender(stale, 'only', 1, big);
    // Enough of another shape to evict 'only', and with it the emptied scope.
    for (let i = 0; i < 30; i++) keepRender(renderScope(a, 'pressure'), `p-${i}`, 1, big);
    expect(cachedRender(renderScope(a, 'short-lived'), 'only', 1) === undefined).toBe(true);
    const bytes = Buffer.from('{"id":"later"}');
    keepRender(stale, 'later', 1, bytes);
    expect(cachedRender(renderScope(a, 'short-lived'), 'later', 1)).toBe(bytes);
  });
});

describe('kept page items', () => {
  const item = (bytes: Buffer) => new RenderedItem('x', bytes);

  it('are found by the very rows array of a kept page and its shape, and come back frozen', () => {
    const rows = Object.freeze([{ id: 'x' }]);
    const items = [item(Buffer.from('{"id":"x"}'))];
    const kept = keepPageItems(rows, 'shape-a', items);
    expect(Object.isFrozen(kept)).toBe(true);
    expect(keptPageItems(rows, 'shape-a')).toBe(kept);
    expect(keptPageItems(rows, 'shape-b')).toBeUndefined();
    expect(keptPageItems(Object.freeze([{ id: 'x' }]), 'shape-a')).toBeUndefined();
  });

  it('hold 32 MB (items and joined bytes, so twice their size): the oldest page goes first, an oversized one is not kept', () => {
    const mb = Buffer.alloc(1024 * 1024, 0x20);
    const pages = Array.from({ length: 17 }, () => Object.freeze([{}]));
    pages.forEach((rows) => keepPageItems(rows, 's', [item(mb)]));
    // 2 MB and a little a page: 15 of them fit in 32 MB, the oldest went.
    const held = pages.map((rows) => keptPageItems(rows, 's') !== undefined);
    expect(held).toEqual([false, false, ...Array(15).fill(true)]);
    const big = Object.freeze([{}]);
    keepPageItems(big, 's', [item(Buffer.alloc(3 * 1024 * 1024))]);
    expect(keptPageItems(big, 's')).toBeUndefined();
  });

  it('a frozen page is joined once and sent as the same bytes as an unfrozen one', () => {
    const items = [item(Buffer.from('{"id":"a"}')), item(Buffer.from('{"id":"b"}'))];
    const body = (value: unknown[]) => ({ '@odata.context': 'ctx', value, '@odata.nextLink': 'next' });
    const plain = replyPayload(body([...items]));
    const frozen = Object.freeze([...items]) as unknown as unknown[];
    expect(replyPayload(body(frozen))).toEqual(plain);
    expect(replyPayload(body(frozen))).toEqual(plain);
    expect(JSON.parse(String(plain))).toEqual({ '@odata.context': 'ctx', value: [{ id: 'a' }, { id: 'b' }], '@odata.nextLink': 'next' });
  });
});
