// Values derived from committed rows (a membership closure, the subscription catalogue), kept until the store next
// changes. `mark` says whether it may have: on a SQLite file it is the read-only connection's data_version, which
// moves whenever any other connection, in this process or another, commits; a mark that cannot be had cheaply
// (PostgreSQL, a private in-memory store) is undefined, and nothing is kept.

export type ChangeMark = () => string | undefined;

export class ReadMemo {
  private mark: string | undefined;
  private readonly values = new Map<string, unknown>();

  constructor(
    private readonly changeMark: ChangeMark,
    private readonly max = 2000,
  ) {}

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
      this.mark = mark;
    }
    const hit = this.values.get(key);
    if (hit !== undefined) return hit as T;
    const value = deepFreeze(await compute());
    if (this.mark === mark) {
      if (this.values.size >= this.max) this.values.delete(this.values.keys().next().value!);
      this.values.set(key, value);
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
