// Opt-in Graph throttling (--throttle): the identity and access service's resource-unit model (graph-notes §7).
// Each app+tenant pair has a token bucket of resource units refilled over 10 s, sized by the tenant's user count,
// and a write quota; education requests have their own, larger bucket. Over budget → 429 TooManyRequests with
// Retry-After and Graph's x-ms-throttle-* headers.
//
// Budgets are per node, in memory: behind N nodes an app gets up to N times the budget. That is deliberate —
// counting every request in the shared store would turn each read into a serialised write — and harmless, since
// a budget is a rate, not state: losing it on restart only refills the buckets.
import { GraphError } from './errors.js';

export interface ThrottleIdentity {
  appId: string;
  tenantId: string;
}

export interface ThrottleDeps {
  /** Who is calling, or undefined when the token is not valid (the router answers 401; nothing is charged). */
  identify(authorization: string | undefined): Promise<ThrottleIdentity | undefined>;
  /** Users in the tenant: picks the S/M/L budget. */
  userCount(tenantId: string): Promise<number>;
  now?: () => number;
}

export interface ThrottleRequest {
  method: string;
  /** Path after /v1.0, without the query string. */
  path: string;
  query: Record<string, unknown>;
  authorization: string | undefined;
}

const WINDOW_MS = 10_000;
const WRITE_QUOTA = 3_000;
const WRITE_WINDOW_MS = 150_000;
const EDUCATION_BUDGET = 35_000;
const USER_COUNT_TTL_MS = 60_000;

/** Resource units per 10 s for an app in a tenant of this many users. */
export function tenantBudget(users: number): number {
  if (users < 50) return 3_500;
  if (users <= 500) return 5_000;
  return 8_000;
}

const ID = '[^/]+';
const USER = `(?:/me|/users/${ID})`;
const BASE_COSTS: [string, RegExp, number][] = [
  ['GET', new RegExp(`^${USER}/(?:licensedetails|memberof|transitivememberof|ownedobjects)(?:/.*)?$`), 2],
  ['GET', /^\/(?:users|me)(?:\/[^/]+)?$/, 2],
  ['GET', /^\/applications(?:\/.*)?$/, 2],
  ['GET', new RegExp(`^/groups/${ID}/members(?:/.*)?$`), 3],
  ['GET', new RegExp(`^/groups/${ID}/transitivemembers(?:/.*)?$`), 5],
  ['GET', /^\/subscribedskus(?:\/.*)?$/, 3],
  ['GET', /^\/contracts(?:\/.*)?$/, 3],
  ['GET', /^\/oauth2permissiongrants(?:\/[^/]+)?$/, 2],
  ['GET', new RegExp(`^/serviceprincipals/${ID}/approleassignments(?:/.*)?$`), 2],
  ['GET', new RegExp(`^/domains/${ID}/domainnamereferences(?:/.*)?$`), 4],
  ['POST', /^\/(?:directoryobjects\/getbyids|getobjectsbyid)$/, 5],
  ['POST', /\/ismemberof$/, 4],
  ['POST', new RegExp(`^${USER}/(?:checkmembergroups|checkmemberobjects)$`), 4],
  ['POST', new RegExp(`^${USER}/(?:getmembergroups|getmemberobjects)$`), 2],
];
// These POSTs only read: they cost resource units but no write quota.
const READ_POSTS = /\/(?:getbyids|getobjectsbyid|ismemberof|checkmembergroups|checkmemberobjects|getmembergroups|getmemberobjects)$/;

const option = (query: Record<string, unknown>, name: string): string | undefined => {
  const key = Object.keys(query).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : query[key];
  return typeof v === 'string' ? v : undefined;
};

/** Resource units a request costs, and whether it counts against the write quota. */
export function costOf(method: string, path: string, query: Record<string, unknown>): { units: number; write: boolean } {
  const m = method.toUpperCase();
  const p = path.toLowerCase().replace(/\/+$/, '') || '/';
  const write = m !== 'GET' && !(m === 'POST' && READ_POSTS.test(p));
  let units = BASE_COSTS.find(([bm, re]) => bm === m && re.test(p))?.[2] ?? 1;
  if (option(query, '$select') !== undefined) units -= 1;
  if (option(query, '$expand') !== undefined) units += 1;
  const top = Number(option(query, '$top'));
  if (Number.isFinite(top) && top < 20) units -= 1;
  return { units: Math.max(1, units), write };
}

class Bucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly capacity: number,
    private readonly windowMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  private refill(now: number) {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.capacity) / this.windowMs);
    this.last = now;
  }

  /** Takes `n` tokens if there are that many; otherwise takes nothing and says how long until there will be. */
  take(n: number, now: number): { ok: true } | { ok: false; retryMs: number } {
    this.refill(now);
    if (this.tokens >= n) {
      this.tokens -= n;
      return { ok: true };
    }
    return { ok: false, retryMs: ((n - this.tokens) * this.windowMs) / this.capacity };
  }

  /** Share of the budget in use, with `extra` units more asked for. */
  usage(extra = 0): number {
    return (this.capacity - this.tokens + extra) / this.capacity;
  }

  give(n: number) {
    this.tokens = Math.min(this.capacity, this.tokens + n);
  }

  idle(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }
}

export class Throttle {
  private buckets = new Map<string, Bucket>();
  private users = new Map<string, { count: number; at: number }>();
  private readonly now: () => number;

  constructor(private readonly deps: ThrottleDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Charges the request; returns the headers every answer carries, or throws 429 TooManyRequests. */
  async admit(req: ThrottleRequest): Promise<Record<string, string>> {
    const who = await this.deps.identify(req.authorization);
    if (!who) return {};
    const now = this.now();
    const education = /^\/education(?:\/|$)/i.test(req.path);
    const cost = education ? { units: 1, write: req.method.toUpperCase() !== 'GET' } : costOf(req.method, req.path, req.query);
    const pair = `${who.appId}/${who.tenantId}`;
    const budget = education ? EDUCATION_BUDGET : tenantBudget(await this.userCount(who.tenantId, now));
    const ru = this.bucket(`${education ? 'edu' : 'ru'}/${pair}/${budget}`, budget, WINDOW_MS, now);
    const headers: Record<string, string> = { 'x-ms-resource-unit': String(cost.units) };
    this.prune(now);
    const reject = (retryMs: number, kind: 'Write' | 'ReadWrite', info: string, usage: number) =>
      new GraphError(429, 'TooManyRequests', 'Please retry again later.', {
        ...headers,
        'Retry-After': String(Math.max(1, Math.ceil(retryMs / 1000))),
        'x-ms-throttle-limit-percentage': percentage(usage),
        'x-ms-throttle-scope': `Tenant_Application/${kind}/${who.appId}/${who.tenantId}`,
        'x-ms-throttle-information': info,
      });
    const r = ru.take(cost.units, now);
    if (!r.ok) throw reject(r.retryMs, 'ReadWrite', 'ResourceUnitLimitExceeded', ru.usage(cost.units));
    if (cost.write) {
      const quota = this.bucket(`w/${pair}`, WRITE_QUOTA, WRITE_WINDOW_MS, now);
      const w = quota.take(1, now);
      if (!w.ok) {
        ru.give(cost.units);
        throw reject(w.retryMs, 'Write', 'WriteLimitExceeded', quota.usage(1));
      }
    }
    const usage = ru.usage();
    if (usage > 0.8) headers['x-ms-throttle-limit-percentage'] = percentage(usage);
    return headers;
  }

  private bucket(key: string, capacity: number, windowMs: number, now: number): Bucket {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new Bucket(capacity, windowMs, now)));
    return b;
  }

  private async userCount(tenantId: string, now: number): Promise<number> {
    let known = this.users.get(tenantId);
    if (!known || now - known.at > USER_COUNT_TTL_MS) {
      if (this.users.size >= 1000) this.users.clear();
      known = { count: await this.deps.userCount(tenantId), at: now };
      this.users.set(tenantId, known);
    }
    return known.count;
  }

  /** Forgets full buckets, so that apps which stopped calling cost no memory. */
  private prune(now: number) {
    if (this.buckets.size < 1000) return;
    for (const [k, b] of this.buckets) if (b.idle(now)) this.buckets.delete(k);
  }
}

const percentage = (usage: number) => String(Math.min(1.8, Math.max(0, usage)).toFixed(1));
