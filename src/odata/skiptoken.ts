// $skiptoken: an opaque, signed keyset cursor. Layout: base64url(JSON {c: cursor, f: fingerprint}) '.'
// base64url(HMAC-SHA256(key, payload)). The fingerprint binds the token to the query it was issued for, so a
// token replayed against another filter, order or collection is rejected instead of silently mis-paging.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ODataQuery } from './ast.js';
import { badRequest } from '../graph/errors.js';

export const invalidSkipToken = () => badRequest('The specified page token value has expired or is invalid.');

const MAX_TOKEN = 4096;

// A hash or HMAC object costs more to make than hashing a short text does, and clients walking a collection bring
// back the same tokens and queries: signatures and fingerprints already made are looked up (a few thousand of each,
// of texts up to a cursor's usual length).
const KEPT = 4096;
const KEPT_TEXT = 512;
const signatures = new Map<string, Buffer>();
const fingerprints = new Map<string, string>();
const keyIds = new WeakMap<Buffer, number>();
let nextKeyId = 0;

function kept<V>(map: Map<string, V>, key: string, make: () => V): V {
  if (key.length > KEPT_TEXT) return make();
  let v = map.get(key);
  if (v === undefined) {
    if (map.size >= KEPT) map.clear();
    map.set(key, (v = make()));
  }
  return v;
}

function keyId(key: string | Buffer): string {
  if (typeof key === 'string') return `s${key}`;
  let id = keyIds.get(key);
  if (id === undefined) keyIds.set(key, (id = ++nextKeyId));
  return `b${id}`;
}

function sign(payload: string, key: string | Buffer): Buffer {
  return kept(signatures, `${keyId(key)}|${payload}`, () => createHmac('sha256', key).update(payload).digest());
}

export function encodeSkipToken(cursor: unknown, fingerprint: string, key: string | Buffer): string {
  const payload = Buffer.from(JSON.stringify({ c: cursor, f: fingerprint }), 'utf8').toString('base64url');
  return `${payload}.${sign(payload, key).toString('base64url')}`;
}

/** The cursor inside a token issued for `fingerprint` with `key`; a 400 GraphError for anything else. */
export function decodeSkipToken(token: string, fingerprint: string, key: string | Buffer): unknown {
  if (typeof token !== 'string' || token.length > MAX_TOKEN) throw invalidSkipToken();
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) throw invalidSkipToken();
  const given = Buffer.from(m[2], 'base64url');
  const expected = sign(m[1], key);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidSkipToken();
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8'));
  } catch {
    throw invalidSkipToken();
  }
  if (!body || typeof body !== 'object' || (body as { f?: unknown }).f !== fingerprint) throw invalidSkipToken();
  return (body as { c?: unknown }).c;
}

/**
 * What a page token is bound to: the resource, filter, search and order (which decide the keyset), plus the
 * caller's `scopeKey` (e.g. the request path) so a token from /groups/A/members is refused on /groups/B/members.
 * $top and $select may change between pages without invalidating the cursor.
 */
export function queryFingerprint(query: ODataQuery, scopeKey = ''): string {
  const canonical = JSON.stringify([query.resource, scopeKey, query.filter ?? null, query.search ?? null, query.orderby ?? null]);
  return kept(fingerprints, canonical, () => createHash('sha256').update(canonical).digest('base64url').slice(0, 22));
}
