// The items of list pages whose keys are kept (directory/query.ts hands out the same frozen rows while the store is
// unchanged), by page and shape, so that a page read again is one lookup instead of one per item, and is joined
// into its bytes once (replyPayload). Only pages whose every item was rendered at its row's version are kept: the
// rows' ids and versions then fix the bytes. One bound for the process, oldest page first.
import type { RenderedItem } from './rendered-item.js';

/** Bytes of items (held twice: the items and the joined page) kept for all pages together. */
const BUDGET = 32 * 1024 * 1024;

interface Held {
  shape: string;
  items: readonly RenderedItem[];
  size: number;
}

const pages = new Map<readonly unknown[], Held>();
let held = 0;

export function keptPageItems(rows: readonly unknown[], shape: string): readonly RenderedItem[] | undefined {
  const hit = pages.get(rows);
  return hit?.shape === shape ? hit.items : undefined;
}

export function keepPageItems(rows: readonly unknown[], shape: string, items: RenderedItem[]): readonly RenderedItem[] {
  const size = 2 * items.reduce((n, i) => n + i.bytes.length, 0) + 64;
  if (size > BUDGET / 8) return items;
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
