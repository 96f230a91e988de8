// What lets a PostgreSQL store keep values (src/store/read-memo.ts) while other servers write the same schema: every
// write of a Tenantbox process is followed by NOTIFY on one channel, naming its schema, and every process LISTENs
// there on one connection per database. PostgreSQL delivers a notification when the writing transaction commits
// ("NOTIFY … is delivered … between transactions", docs: sql-notify), before the writer's answer reaches its
// client, so another node hears of a write about as soon as the write can be known; Microsoft Entra's own replicas
// promise less ("a successful write … does not guarantee that an immediate read will reflect that change",
// devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra). A write of this process
// counts at once, without waiting for its own notification. While the listening connection is down nothing is kept,
// and the values kept before are dropped when it is back, since notifications sent meanwhile are lost.
import pg from 'pg';

export const CHANGES_CHANNEL = 'tenantbox_store_changes';
const RETRY_MS = 1_000;

/** Writes heard of, per schema, on one database; one per connection string in a process. */
export class ChangeFeed {
  private readonly counts = new Map<string, number>();
  /** Backends of this process's pools: what they announce was counted when it committed. */
  private readonly own = new Set<number>();
  /** Bumped when the listener is lost and when it is back: what was kept under it may have missed notifications. */
  private epoch = 0;
  private up = false;
  private users = 0;
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly connectionString: string) {}

  /** A mark for values read from `schema`, or undefined while writes elsewhere could go unheard. */
  mark(schema: string): string | undefined {
    return this.up ? `${this.epoch}:${this.counts.get(schema) ?? 0}` : undefined;
  }

  /** A write to `schema`, by this process or, through a notification, by another. */
  bump(schema: string): void {
    this.counts.set(schema, (this.counts.get(schema) ?? 0) + 1);
  }

  /** A pooled connection of this process, whose notifications are not counted a second time. */
  ownConnection(client: pg.ClientBase): void {
    const pid = (client as unknown as { processID?: number | null }).processID;
    if (pid == null || this.own.has(pid)) return;
    this.own.add(pid);
    client.once('end', () => this.own.delete(pid));
  }

  /** A store starts using the feed; resolves once the first attempt to listen has ended (listening or not). */
  acquire(): Promise<void> {
    if (this.users++ === 0) this.starting = this.listen();
    return this.starting ?? Promise.resolve();
  }

  async release(): Promise<void> {
    if (--this.users > 0) return;
    feeds.delete(this.connectionString);
    clearTimeout(this.retry);
    this.lost();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    // Named for pg_stat_activity (a connection string's own application_name comes first).
    const client = new pg.Client({ connectionString: this.connectionString, keepAlive: true, application_name: `tenantbox change feed ${process.pid}` });
    client.on('notification', (n) => {
      if (n.channel === CHANGES_CHANNEL && !this.own.has(n.processId)) this.bump(n.payload ?? '');
    });
    const drop = () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.lost();
      client.end().catch(() => undefined);
      this.again();
    };
    client.on('error', drop);
    client.on('end', drop);
    this.client = client;
    try {
      await client.connect();
      await client.query(`listen ${CHANGES_CHANNEL}`);
    } catch {
      drop();
      return;
    }
    if (this.client !== client) return;
    // The listening socket alone never keeps a process alive.
    (client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
    this.epoch++;
    this.up = true;
  }

  private lost() {
    if (this.up) this.epoch++;
    this.up = false;
  }

  private again() {
    if (this.users === 0 || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.users > 0 && !this.client) void this.listen();
    }, RETRY_MS);
    this.retry.unref();
  }
}

const feeds = new Map<string, ChangeFeed>();

/** The process's feed for the database of `connectionString`. */
export function changeFeed(connectionString: string): ChangeFeed {
  let feed = feeds.get(connectionString);
  if (!feed) feeds.set(connectionString, (feed = new ChangeFeed(connectionString)));
  return feed;
}

// Statements that change no rows. A `with` is a read unless it holds a data-modifying statement.
const READS = /^\s*(?:\/\*keyed\*\/\s*)?(?:select|show|set|reset|deallocate|savepoint|release|listen|explain|values)\b/i;
const DML = /\b(?:insert|update|delete|merge|truncate)\b/i;
const BEGIN = /^\s*(?:begin|start\s+transaction)\b/i;
const END = /^\s*(?:commit|end|abort|rollback(?!\s+to\b))\b/i;

function changesRows(text: string): boolean {
  if (READS.test(text)) return false;
  if (/^\s*with\b/i.test(text)) return DML.test(text);
  return !BEGIN.test(text) && !END.test(text);
}

type Query = (text: string, values?: unknown[]) => Promise<pg.QueryResult>;

/**
 * `query` of one lent connection, telling `feed` (here and, by NOTIFY, everywhere) of every statement that may have
 * changed `schema`: after it, outside a transaction; at the end of the transaction it ran in, committed or not.
 */
export function announcingWrites(query: Query, feed: ChangeFeed, schema: string): Query {
  let inTransaction = false;
  let wrote = false;
  const announce = () => query('select pg_notify($1, $2)', [CHANGES_CHANNEL, schema]).catch(() => undefined);
  return async (text, values) => {
    if (BEGIN.test(text)) {
      inTransaction = true;
      wrote = false;
      return query(text, values);
    }
    if (END.test(text)) {
      // Inside the transaction, the notification is sent if and when it commits.
      if (wrote && /^\s*(?:commit|end)\b/i.test(text)) await announce();
      try {
        return await query(text, values);
      } finally {
        if (wrote) feed.bump(schema);
        inTransaction = wrote = false;
      }
    }
    if (!changesRows(text)) return query(text, values);
    if (inTransaction) {
      wrote = true;
      return query(text, values);
    }
    try {
      return await query(text, values);
    } finally {
      feed.bump(schema);
      await announce();
    }
  };
}
