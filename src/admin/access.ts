// Who may reach the operational and credential endpoints. Decided once, in a root hook, on the route the router
// matched (so `/%61dmin/reset` and `/admin/reset` are the same route to this check as to the router), never on the
// raw URL text.
//
// Without an admin key the admin routes trust the machine: only loopback callers, whose Host header names this
// server (a DNS-rebinding page sends its own domain as Host) and whose Origin, if any, is this server's (a page on
// another site sends its own). Endpoints that change state without a bearer token (token issuance, sign-in) get the
// Host and Origin rules too: a browser page elsewhere must not mint credentials through the user's loopback.
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphError } from '../graph/errors.js';
import { sendGraphError } from '../graph/wire.js';
import { isBatchStep } from '../graph/batch-step.js';


export interface AccessOptions {
  adminKey?: string;
  /** The address the server was told to listen on (counts as its own name or address). */
  host: string;
  /** Further names this server answers to (a container's service name, a reverse proxy's host). */
  allowedHosts?: readonly string[];
}

/** Routes (as registered) that change state and are reached without a bearer token. */
const UNAUTHENTICATED_WRITES = new Set([
  'POST /:tenant/oauth2/v2.0/token',
  'POST /:tenant/oauth2/token',
  'POST /:tenant/oauth2/v2.0/devicecode',
  'POST /:tenant/oauth2/devicecode',
  'POST /:tenant/oauth2/v2.0/authorize',
  'POST /:tenant/oauth2/authorize',
  'POST /api/authSessions/create',
  'POST /api/auth',
  'DELETE /api/auth',
  'DELETE /api/authSessions',
]);

const sameKey = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\./.test(a);
}

/** `host[:port]` or `[v6]:port` → the bare host name or address, lower-cased. */
export function hostOf(value: string): string {
  const v = value.trim().toLowerCase();
  if (v.startsWith('[')) return v.slice(1, v.indexOf(']') > 0 ? v.indexOf(']') : undefined);
  const colon = v.indexOf(':');
  // More than one colon and no brackets: a bare IPv6 address.
  if (colon >= 0 && v.indexOf(':', colon + 1) >= 0) return v;
  return colon >= 0 ? v.slice(0, colon) : v;
}

function ownAddresses(): Set<string> {
  const out = new Set<string>(['127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) out.add(i.address.toLowerCase());
  return out;
}

export class AccessRules {
  private readonly names: Set<string>;
  private readonly addresses = ownAddresses();

  constructor(private readonly opts: AccessOptions) {
    const machine = hostname().toLowerCase();
    this.names = new Set(['localhost', machine, machine.split('.')[0], opts.host.toLowerCase(), ...(opts.allowedHosts ?? []).map((h) => hostOf(h))]);
  }

  /** Host names or addresses that are this server (a wildcard listen address stands for all of the machine's). */
  isOwnHost(name: string): boolean {
    if (!name) return false;
    if (isIP(name)) return this.addresses.has(name) || name === this.opts.host.toLowerCase();
    return this.names.has(name) || name.endsWith('.localhost');
  }

  /** No Origin (curl, SDKs, same-origin GETs) or an Origin naming this server; `null` origins are opaque and refused. */
  originAllowed(req: FastifyRequest): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return req.headers['sec-fetch-site'] !== 'cross-site';
    if (typeof origin !== 'string') return false;
    try {
      return this.isOwnHost(hostOf(new URL(origin).host));
    } catch {
      return false;
    }
  }

  hostAllowed(req: FastifyRequest): boolean {
    const host = req.headers.host;
    return typeof host === 'string' && this.isOwnHost(hostOf(host));
  }

  /** Why this request may not reach its route, or undefined when it may. */
  refusal(req: FastifyRequest): { status: number; code: string; message: string } | undefined {
    const route = req.routeOptions.url;
    if (!route) return undefined;
    if (route === '/admin' || route.startsWith('/admin/')) {
      if (isBatchStep(req)) return { status: 404, code: 'notFound', message: 'The admin API is not reachable from a batch request.' };
      if (!this.originAllowed(req)) return { status: 403, code: 'forbidden', message: 'Cross-site requests to the admin API are refused.' };
      if (this.opts.adminKey) {
        const given = req.headers['x-admin-key'];
        if (typeof given !== 'string' || !sameKey(given, this.opts.adminKey)) return { status: 401, code: 'unauthenticated', message: 'A valid X-Admin-Key header is required.' };
        return undefined;
      }
      if (!isLoopback(req.socket.remoteAddress)) return { status: 403, code: 'forbidden', message: 'Without an admin key the admin API answers only loopback callers; start the server with --admin-key to reach it from elsewhere.' };
      if (!this.hostAllowed(req)) return { status: 403, code: 'forbidden', message: `The Host header '${String(req.headers.host ?? '')}' does not name this server.` };
      return undefined;
    }
    if (UNAUTHENTICATED_WRITES.has(`${req.method} ${route}`)) {
      if (!this.originAllowed(req)) return { status: 403, code: 'forbidden', message: 'Cross-site requests to this endpoint are refused.' };
      if (!this.hostAllowed(req)) return { status: 403, code: 'forbidden', message: `The Host header '${String(req.headers.host ?? '')}' does not name this server.` };
    }
    return undefined;
  }

  /** Root onRequest hook (callback style: no promise per request). */
  readonly hook = (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const r = this.refusal(req);
    if (!r) return done();
    const path = req.url.split('?')[0];
    if (path.startsWith('/api')) {
      reply.code(r.status).send({ message: r.message, code: r.code });
    } else if (req.routeOptions.url?.startsWith('/:tenant/')) {
      reply.code(r.status).send({ error: r.status === 401 ? 'invalid_client' : 'invalid_request', error_description: r.message, error_codes: [], timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z' });
    } else if (path.startsWith('/v1.0')) {
      sendGraphError(reply, new GraphError(r.status, r.code, r.message));
    } else {
      reply.code(r.status).send({ error: { code: r.code, message: r.message } });
    }
  };
}
