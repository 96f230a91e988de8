// The items of list pages whose keys are kept (directory/query.ts hands out the same frozen rows while the store is
// unchanged), by page and shape, so that a page read again is one lookup instead of one per item, and is joined
// into its bytes once (replyPayload). Only pages whose every item was rendered at its row's version are kept: the
// rows' ids and versions then fix the bytes. One bound for the process, oldest page first.
import { RenderedItem } from './rendered-item.js';

/** Bytes of items (held twice: the items and the joined page) kept for all pages together. */
const BUDGET = 32 * 1024 * 1024;

interface Held {
  shape: string;
  items: readonly unknown[];
  size: number;
}

const pages = new Map<readonly unknown[], Held>();
let held = 0;

export function keptPageItems(rows: readonly unknown[], shape: string): readonly unknown[] | undefined {
  const hit = pages.get(rows);
  return hit?.shape === shape ? hit.items : undefined;
}

/** `items`: rendered items, and the plain objects a mixed page shows for types the caller may not read. */
export function keepPageItems(rows: readonly unknown[], shape: string, items: unknown[]): readonly unknown[] {
  const size = 2 * items.reduce<number>((n, i) => n + (i instanceof RenderedItem ? i.bytes.length : 128), 0) + 64;
  if (size > BUDGET / 8) return items;
  for (const item of items) if (!(item instanceof RenderedItem)) Object.freeze(item);
  const old = pages.get(rows);
  if (old) {
    pages.delete(rows);
    held -= old.size;
  }
  const kept = Object.freeze(items);
  pages.set(rows, { shape, items: kept, size });
  held += size;
  for (const [k, h] of pages) {
    if (held <= BUDGET) break;
    pages.delete(k);
    held -= h.size;
  }
  return kept;
}
