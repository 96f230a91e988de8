// Items as they were last served, by store, shape and object id, valid while the object keeps the version they
// were rendered from: objects are stamped with a new version by every write that changes what they serve (their
// properties, and for users the licence assignments behind assignedLicenses and assignedPlans), and a SKU's plans
// never change in place. Rows replaced wholesale (a tenant reset) start a new store generation, under which nothing
// rendered before is found. One cache for every tenant of the process, bounded by the characters it holds. Eviction
// is second-chance (clock) over insertion order: a hit only sets a flag, where moving the entry to the recent end
// of the map cost half of a cached page's lookups.
import type { Store } from '../store/open.js';

/** Bytes of rendered JSON (and key characters) the cache may hold, all tenants together. */
const BUDGET = 64 * 1024 * 1024;
/** Per entry, beside its bytes: the map slot, the entry and buffer objects. */
const OVERHEAD = 160;

interface Entry {
  version: number;
  bytes: Buffer;
  size: number;
  /** Read since it was placed, or since eviction last passed it over. */
  used: boolean;
}

const entries = new Map<string, Entry>();
let held = 0;
const storeIds = new WeakMap<Store, number>();
let nextStoreId = 1;

/** The key prefix for items of one shape from one store in its current generation. */
export function renderScope(store: Store, shape: string): string {
  let id = storeIds.get(store);
  if (id === undefined) storeIds.set(store, (id = nextStoreId++));
  return `${id}.${store.generation}|${shape}|`;
}

export function cachedRender(scope: string, id: string, version: number): Buffer | undefined {
  const key = scope + id;
  const hit = entries.get(key);
  if (!hit) return undefined;
  if (hit.version !== version) return undefined;
  hit.used = true;
  return hit.bytes;
}

export function keepRender(scope: string, id: string, version: number, bytes: Buffer) {
  const key = scope + id;
  const size = key.length + bytes.length + OVERHEAD;
  if (size > BUDGET / 16) return;
  const old = entries.get(key);
  if (old) {
    held -= old.size;
    entries.delete(key);
  }
  entries.set(key, { version, bytes, size, used: false });
  held += size;
  while (held > BUDGET) {
    const [k, e] = entries.entries().next().value as [string, Entry];
    entries.delete(k);
    if (e.used) {
      e.used = false;
      entries.set(k, e);
    } else held -= e.size;
  }
}
