// Values derived from committed rows (a membership closure, the subscription catalogue), kept until the store next
// changes. `mark` says whether it may have: on SQLite it counts the writes of this process, the only one that may
// write a served data file (src/store/sqlite-lock.ts), with the store's generation (a wholesale replacement). The
// read-only connection's data_version would also see other processes, but cost 17 µs a call under load against a
// fraction of a microsecond. PostgreSQL may have other writers (other servers on the same database), so its mark is
// undefined and nothing is kept.

export type ChangeMark = () => string | undefined;

export class ReadMemo {
  private mark: string | undefined;
  /** Each value with its weight: the length of an array (a closure may hold 11,000 groups), 1 otherwise. */
  private readonly values = new Map<string, { value: unknown; weight: number }>();
  private weight = 0;

  /** `maxWeight`: array items held across all values, at most. */
  constructor(
    private readonly changeMark: ChangeMark,
    private readonly maxWeight = 100_000,
  ) {}

  /** Whether this store keeps values at all (a caller may then prefer a shape of read that a kept value serves). */
  keeps(): boolean {
    return this.changeMark() !== undefined;
  }

  /**
   * `compute()`, or what it gave under the same mark. The mark is taken before computing, so a value is never kept
   * under a mark older than the rows it was read from; one computed while the store changed is not kept at all.
   * Values are frozen: every caller shares them.
   */
  async get<T extends object>(key: string, compute: () => Promise<T>): Promise<T> {
    const mark = this.changeMark();
    if (mark === undefined) return compute();
    if (mark !== this.mark) {
      this.values.clear();
      this.weight = 0;
      this.mark = mark;
    }
    const hit = this.values.get(key);
    if (hit) return hit.value as T;
    const value = deepFreeze(await compute());
    const weight = Array.isArray(value) ? Math.max(1, value.length) : 1;
    if (this.mark === mark && weight <= this.maxWeight / 4 && !this.values.has(key)) {
      for (const [k, v] of this.values) {
        if (this.weight + weight <= this.maxWeight) break;
        this.values.delete(k);
        this.weight -= v.weight;
      }
      this.values.set(key, { value, weight });
      this.weight += weight;
    }
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
