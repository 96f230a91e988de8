// What a failed query says about the store: gone for now (connection lost, server restarting: worth retrying), over
// its time budget, or out of room. Faces turn these into their own 503/4xx; nothing here knows HTTP.

/** The store cannot answer right now; the same request will likely succeed once it is back. */
export class StoreUnavailable extends Error {
  readonly retryAfterSeconds = 2;
  constructor(readonly reason: string) {
    super('The directory store is temporarily unavailable.');
  }
}

/** A query ran past its time budget and was cancelled. */
export class QueryTimeout extends Error {
  constructor(readonly budgetMs: number) {
    super(`The query did not finish within its time budget of ${budgetMs} ms; narrow the filter or page with $top.`);
  }
}

// Connection exceptions (08), operator intervention (57P01-57P05: admin shutdown, crash shutdown, cannot connect
// now, database dropped, idle session timeout), insufficient resources (53) and the socket errors Node reports.
const PG_UNAVAILABLE = /^(08...|57P0[1-5]|53...)$/;
const SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const PG_CLIENT_MESSAGES = /Connection terminated|not queryable|Client was closed|Connection ended|timeout exceeded when trying to connect|the database system is (starting up|shutting down|in recovery mode)/i;

/** Reclassifies an error thrown by a query: StoreUnavailable, QueryTimeout, or the error as it was. */
export function classifyStoreError(err: unknown, budgetMs: number): unknown {
  if (err instanceof StoreUnavailable || err instanceof QueryTimeout) return err;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  if (code === '57014' && /statement timeout/i.test(message)) return new QueryTimeout(budgetMs);
  if (PG_UNAVAILABLE.test(code) || SOCKET.has(code) || PG_CLIENT_MESSAGES.test(message)) return new StoreUnavailable(code || message);
  return err;
}
