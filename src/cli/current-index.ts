// Commands that write objects into a store bring its index up to the current capability table first, as `serve`
// does on start: the rows they write then follow the same table as the rest, and the store records it. A store
// these commands create would otherwise carry no record of its table, and the next `serve` would re-index every
// object in it (minutes for a generated 100k tenant).
import type { Directory } from '../directory/directory.js';
import { ensureIndexCurrent } from '../directory/index-version.js';
import type { Store } from '../store/open.js';

export function indexUnderCurrentTable(store: Store, dir: Directory): Promise<number> {
  return store.exclusive(() => ensureIndexCurrent(dir));
}
