// The requests a server is answering, so that deleting a tenant can let those already under way finish before its
// store is closed and dropped: a request that found the tenant a moment before the delete gets its answer (or the
// tenant's 401/404 on its next lookup), not a 500 from a closed pool or a dropped schema.
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** How long a delete waits for earlier requests before it closes the store anyway. */
const SETTLE_MS = 10_000;

export class InFlight {
  private readonly open = new Set<ServerResponse>();

  /** Root onRequest hook (callback style: no promise per request). */
  readonly hook = (_req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const res = reply.raw;
    this.open.add(res);
    res.once('close', () => this.open.delete(res));
    done();
  };

  /** Resolves once every request open now has been answered (or given up on), except the one asking. */
  settled(except?: unknown): Promise<void> {
    const waiting = [...this.open].filter((r) => r !== except && !r.closed);
    if (!waiting.length) return Promise.resolve();
    return new Promise((resolve) => {
      let left = waiting.length;
      const timer = setTimeout(resolve, SETTLE_MS);
      timer.unref();
      const one = () => {
        if (--left === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      for (const r of waiting) r.once('close', one);
    });
  }
}
