// The one place that knows Graph's HTTP conventions: route matching on Graph's URL forms (key segments such as
// devices(deviceId='…'), type casts, /$count), token check, permission check from the route table, replies.
// Resource files only say which routes exist and which core call serves each.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.js';
import type { GraphKit } from './kit.js';
import { GraphError, badRequest } from './errors.js';
import { requestOrigin } from './batch-step.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

export interface GraphContext {
  method: Method;
  principal: Principal;
  /** The kit over the directory of the tenant the token belongs to. */
  kit: GraphKit;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  body: unknown;
  /** scheme://host of this request: links we emit must lead back here. */
  origin: string;
  /** The request path after /v1.0, without the query string. */
  path: string;
  /** Type named by a cast segment, e.g. 'group' for …/memberOf/microsoft.graph.group. */
  cast?: string;
  /** True for …/$count requests. */
  countOnly: boolean;
  /** True when the caller sent ConsistencyLevel: eventual. */
  eventual: boolean;
}

export interface GraphReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** text/plain (the /$count segment) instead of JSON. */
  text?: boolean;
}

export type GraphHandler = (ctx: GraphContext) => Promise<GraphReply>;

export interface RouteOptions {
  /** Accept …/microsoft.graph.{type} after the path for these types. */
  casts?: readonly string[];
  /** Accept …/$count after the path. */
  count?: boolean;
  /** Only delegated (user) tokens: /me and /education/me. */
  delegatedOnly?: boolean;
  /** Check permissions as this method and path instead, where the permission data has no entry of its own. */
  permissionAs?: [Method, string];
}

interface Route {
  /** Registration order: the first matching route wins, whatever bucket it sits in. */
  order: number;
  method: Method;
  permissionMethod: Method;
  template: string;
  permissionPath: string;
  regex: RegExp;
  names: string[];
  segments: string[];
  opts: RouteOptions;
  handler: GraphHandler;
}

export interface RouterDeps {
  authenticate(authorization: string | undefined): Promise<Principal>;
  checkAccess(principal: Principal, method: string, permissionPath: string): void;
  /** The kit of the tenant the principal's token belongs to: one route table serves every tenant. */
  kitOf(principal: Principal): GraphKit;
  /** Checks that need the target and body (role bounds, property-level permissions), read in the caller's tenant. */
  authorize?(principal: Principal, call: { method: Method; template: string; params: Record<string, string>; body: unknown }, kit: GraphKit): Promise<void>;
}

/** Routes whose first segment starts with a placeholder sit in every bucket. */
const ANY = '\u0000any';

/**
 * The literal start of a path's first segment, lower-cased (`devices` for /devices/…, /devices(deviceId='…') and
 * /devices/$count): paths can only match routes whose templates begin with the same literal.
 */
function bucketOfPath(path: string): string {
  let end = 1;
  while (end < path.length) {
    const c = path.charCodeAt(end);
    if (c === 47 /* / */ || c === 40 /* ( */) break;
    end++;
  }
  return path.slice(1, end).toLowerCase();
}

function bucketOfTemplate(template: string): string {
  const first = bucketOfPath(template);
  // An empty first segment may be followed by a cast or /$count: such a route is a candidate for any path.
  return first === '' || first.includes('{') ? ANY : first;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `/devices(deviceId='{deviceId}')/memberOf` → the permission table's `/devices(deviceid={value})/memberof`. */
export function permissionPathOf(template: string): string {
  return template
    .replace(/\((\w+)='\{\w+\}'\)/g, (_m, k: string) => `(${k}={value})`)
    .replace(/\{\w+\}/g, (m) => (m === '{value}' ? m : '{id}'))
    .replace(/\/\$ref$/, '') // the permission data names reference paths without their $ref segment
    .toLowerCase();
}

function compile(template: string, opts: RouteOptions): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  let src = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      src += esc(template.slice(i));
      break;
    }
    const close = template.indexOf('}', open);
    const quoted = template[open - 1] === "'";
    src += esc(template.slice(i, open));
    names.push(template.slice(open + 1, close));
    // Inside quotes a value may contain anything but an unescaped quote; elsewhere, anything but a slash.
    src += quoted ? "((?:[^']|'')*)" : '([^/]+)';
    i = close + 1;
  }
  // A function is called with or without its empty parentheses: the Kiota SDKs write …/delta().
  if (/\/delta$/.test(template)) src += '(?:\\(\\))?';
  // A cast names the type by namespace or by the CSDL's alias: Kiota writes …/memberOf/graph.group.
  if (opts.casts?.length) src += `(?:/(?:microsoft\\.)?graph\\.(${opts.casts.map(esc).join('|')}))?`;
  if (opts.count) src += '(/\\$count)?';
  return { regex: new RegExp(`^${src}/?$`, 'i'), names };
}

export class GraphRouter {
  private routes: Route[] = [];
  /** Candidate routes per first-segment literal, in registration order; rebuilt after any add. */
  private buckets: Map<string, Route[]> | undefined;

  constructor(private deps: RouterDeps) {}

  add(method: Method, template: string, handler: GraphHandler, opts: RouteOptions = {}) {
    const { regex, names } = compile(template, opts);
    const [permissionMethod, permissionTemplate] = opts.permissionAs ?? [method, template];
    this.buckets = undefined;
    this.routes.push({ order: this.routes.length, method, permissionMethod, template, permissionPath: permissionPathOf(permissionTemplate), regex, names, segments: template.split('/').slice(1), opts, handler });
  }

  get(t: string, h: GraphHandler, o?: RouteOptions) {
    this.add('GET', t, h, o);
  }
  post(t: string, h: GraphHandler, o?: RouteOptions) {
    this.add('POST', t, h, o);
  }
  patch(t: string, h: GraphHandler, o?: RouteOptions) {
    this.add('PATCH', t, h, o);
  }
  delete(t: string, h: GraphHandler, o?: RouteOptions) {
    this.add('DELETE', t, h, o);
  }

  /** The served routes, for documentation and the permission matrix tests. */
  list(): { method: Method; template: string; permissionPath: string }[] {
    return this.routes.map(({ method, template, permissionPath }) => ({ method, template, permissionPath }));
  }

  /** The token check alone, for endpoints outside the route table ($batch). */
  authenticate(authorization: string | undefined): Promise<Principal> {
    return this.deps.authenticate(authorization);
  }

  async dispatch(req: FastifyRequest, reply: FastifyReply): Promise<GraphReply> {
    const principal = await this.deps.authenticate(req.headers.authorization);
    const raw = req.url.slice('/v1.0'.length);
    const qIndex = raw.indexOf('?');
    let path: string;
    try {
      const encoded = qIndex < 0 ? raw : raw.slice(0, qIndex);
      path = encoded.includes('%') ? decodeURIComponent(encoded) : encoded;
    } catch {
      throw badRequest('The request URI is not valid.', 'BadRequest');
    }
    const method = req.method.toUpperCase() as Method;
    let pathMatched = false;
    for (const r of this.candidates(path)) {
      const m = r.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      const params: Record<string, string> = {};
      for (let idx = 0; idx < r.names.length; idx++) {
        const v = m[idx + 1];
        params[r.names[idx]] = v.includes("'") ? v.replace(/''/g, "'") : v;
      }
      let next = r.names.length + 1;
      const cast = r.opts.casts?.length ? m[next++] : undefined;
      const countOnly = r.opts.count ? !!m[next] : false;
      if (r.opts.delegatedOnly && principal.kind !== 'delegated')
        throw new GraphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
      this.deps.checkAccess(principal, r.permissionMethod, r.permissionPath);
      const kit = this.deps.kitOf(principal);
      if (this.deps.authorize && method !== 'GET') await this.deps.authorize(principal, { method, template: r.template, params, body: req.body }, kit);
      const headers: Record<string, string | undefined> = {};
      const given = req.headers;
      for (const k in given) {
        const v = given[k];
        headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
      }
      return r.handler({
        method,
        principal,
        kit,
        params,
        query: req.query as Record<string, string | undefined>,
        headers,
        body: req.body,
        origin: requestOrigin(req),
        path,
        cast: cast ? this.canonicalCast(r.opts.casts!, cast) : undefined,
        countOnly,
        eventual: String(headers.consistencylevel ?? '').toLowerCase() === 'eventual',
      });
    }
    if (pathMatched) throw new GraphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
    throw badRequest(`Resource not found for the segment '${this.unmatchedSegment(path)}'.`, 'BadRequest');
  }

  private candidates(path: string): Route[] {
    if (!this.buckets) {
      const byKey = new Map<string, Route[]>();
      for (const r of this.routes) {
        const key = bucketOfTemplate(r.template);
        if (!byKey.has(key)) byKey.set(key, []);
        byKey.get(key)!.push(r);
      }
      const any = byKey.get(ANY) ?? [];
      for (const [key, list] of byKey) if (key !== ANY) byKey.set(key, [...list, ...any].sort((a, b) => a.order - b.order));
      byKey.set(ANY, any);
      this.buckets = byKey;
    }
    return this.buckets.get(bucketOfPath(path)) ?? this.buckets.get(ANY)!;
  }

  private canonicalCast(casts: readonly string[], given: string) {
    return casts.find((c) => c.toLowerCase() === given.toLowerCase()) ?? given;
  }

  /** The first path segment no route knows, for Graph's "Resource not found for the segment" message. */
  private unmatchedSegment(path: string): string {
    const segs = path.split('/').filter(Boolean);
    let best = 0;
    for (const r of this.routes) {
      let k = 0;
      while (k < segs.length && k < r.segments.length && segmentMatches(r.segments[k], segs[k])) k++;
      best = Math.max(best, k);
    }
    return segs[Math.min(best, segs.length - 1)] ?? '';
  }
}

function segmentMatches(templateSeg: string, seg: string): boolean {
  if (!templateSeg.includes('{')) return templateSeg.toLowerCase() === seg.toLowerCase();
  return compile(templateSeg, {}).regex.test(seg);
}
