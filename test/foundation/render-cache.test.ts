// The cache of rendered items (src/graph/render-cache.ts): an item is found under its store, generation, shape, id
// and version only; the cache holds 64 MB, and eviction gives an item read since it was placed a second chance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedRender, keepRender, renderScope } from '../../src/graph/render-cache.js';
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
