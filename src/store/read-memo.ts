// Values derived from committed rows (a membership closure, the subscription catalogue, a list page's keys), kept
// until the store next changes. `mark` says whether it may have: on SQLite it counts the writes of this process, the
// only one that may write a served data file (src/store/sqlite-lock.ts), with the store's generation (a wholesale
// replacement). The read-only connection's data_version would also see other processes, but cost 17 µs a call under
// load against a fraction of a microsecond. PostgreSQL has other writers (other servers on the same database): its
// mark counts this process's writes and the ones other servers announce (src/store/pg-changes.ts), and is undefined,
// so that nothing is kept, while those announcements cannot be heard.

export type ChangeMark = () => string | undefined;

interface Held {
  key: string;
  value: unknown;
  /** The length of an array (a closure may hold 11,000 groups, a page 101 rows), 1 otherwise. */
  weight: number;
}

/**
 * The values of many memos (one a store, a thousand tenants' stores in one process), held to one weight of array
 * items in all: when it is passed, the values kept first go first, whichever store kept them.
 */
export class MemoPool {
  private readonly order = new Map<Held, ReadMemo>();
  private weight = 0;

  constructor(readonly maxWeight: number) {}

  add(owner: ReadMemo, held: Held) {
    this.order.set(held, owner);
    this.weight += held.weight;
    for (const [h, o] of this.order) {
      if (this.weight <= this.maxWeight) break;
      this.drop(h);
      o.forget(h);
    }
  }

  drop(held: Held) {
    if (this.order.delete(held)) this.weight -= held.weight;
  }
}

/** About 30 MB of pages and closures for the process. */
const SHARED = new MemoPool(250_000);

export class ReadMemo {
  private mark: string | undefined;
  private readonly values = new Map<string, Held>();
  private readonly pool: MemoPool;

  /** `pool`: where the values are held, or the weight of a pool of this memo's own. */
  constructor(
    private readonly changeMark: ChangeMark,
    pool: MemoPool | number = SHARED,
  ) {
    this.pool = typeof pool === 'number' ? new MemoPool(pool) : pool;
  }

  /** Whether this store keeps values at all (a caller may then prefer a shape of read that a kept value serves). */
  keeps(): boolean {
    return this.changeMark() !== undefined;
  }

  /**
   * `compute()`, or what it gave under the same mark. The mark is taken before computing, so a value is never kept
   * under a mark older than the rows it was read from; one computed while the store changed is not kept at all.
   * Values are frozen: every caller shares them. `weigh` gives the value's weight in the pool when an array's length
   * does not tell it (rows holding documents).
   */
  async get<T extends object>(key: string, compute: () => Promise<T>, weigh?: (value: T) => number): Promise<T> {
    const mark = this.changeMark();
    if (mark === undefined) return compute();
    if (mark !== this.mark) {
      this.clear();
      this.mark = mark;
    }
    const hit = this.values.get(key);
    if (hit) return hit.value as T;
    const value = deepFreeze(await compute());
    const weight = weigh ? Math.max(1, weigh(value)) : Array.isArray(value) ? Math.max(1, value.length) : 1;
    if (this.mark === mark && weight <= this.pool.maxWeight / 4 && !this.values.has(key)) {
      const held = { key, value, weight };
      this.values.set(key, held);
      this.pool.add(this, held);
    }
    return value;
  }

  /** Lets go of every value (the store changed, or closed). */
  clear() {
    for (const held of this.values.values()) this.pool.drop(held);
    this.values.clear();
  }

  /** Called by the pool for a value it let go of. */
  forget(held: Held) {
    if (this.values.get(held.key) === held) this.values.delete(held.key);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
