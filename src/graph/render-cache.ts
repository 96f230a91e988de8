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
/** Per entry, beside its bytes: the map slots, the entry and buffer objects. */
const OVERHEAD = 160;

interface Entry {
  version: number;
  bytes: Buffer;
  size: number;
  /** Read since it was placed, or since eviction last passed it over. */
  used: boolean;
  scope: RenderScope;
  id: string;
}

/**
 * The items of one shape from one store in its current generation, by object id. Items are found in two steps, the
 * scope once a request and then each id: a page's ids are the same string objects every time it is read again (kept
 * page keys), whose hashes V8 keeps, where one key joining scope and id was a new string to hash for every item.
 */
export interface RenderScope {
  readonly key: string;
  readonly items: Map<string, Entry>;
}

const scopes = new Map<string, RenderScope>();
/** Every entry, oldest first: the clock's hand starts here. */
const order = new Set<Entry>();
let held = 0;
const storeIds = new WeakMap<Store, number>();
let nextStoreId = 1;

export function renderScope(store: Store, shape: string): RenderScope {
  let id = storeIds.get(store);
  if (id === undefined) storeIds.set(store, (id = nextStoreId++));
  const key = `${id}.${store.generation}|${shape}`;
  let scope = scopes.get(key);
  if (!scope) scopes.set(key, (scope = { key, items: new Map() }));
  return scope;
}

export function cachedRender(scope: RenderScope, id: string, version: number): Buffer | undefined {
  const hit = scope.items.get(id);
  if (!hit || hit.version !== version) return undefined;
  hit.used = true;
  return hit.bytes;
}

export function keepRender(given: RenderScope, id: string, version: number, bytes: Buffer) {
  const size = id.length + bytes.length + OVERHEAD;
  if (size > BUDGET / 16) return;
  const old = scopes.get(given.key)?.items.get(id);
  if (old) drop(old);
  // The scope may have been let go of (emptied by eviction, or by dropping `old`) since the request looked it up.
  let scope = scopes.get(given.key);
  if (!scope) scopes.set(given.key, (scope = given));
  const entry: Entry = { version, bytes, size, used: false, scope, id };
  scope.items.set(id, entry);
  order.add(entry);
  held += size;
  while (held > BUDGET) {
    const e = order.values().next().value as Entry;
    order.delete(e);
    if (e.used) {
      e.used = false;
      order.add(e);
    } else drop(e);
  }
}

function drop(e: Entry) {
  order.delete(e);
  held -= e.size;
  if (e.scope.items.get(e.id) === e) e.scope.items.delete(e.id);
  // A scope left empty (its shape not read since, or a generation gone) leaves too.
  if (!e.scope.items.size && scopes.get(e.scope.key) === e.scope) scopes.delete(e.scope.key);
}
