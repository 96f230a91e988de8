// Access tokens of every tenant a server serves: the token's `tid` picks the tenant, whose own authenticator then
// checks it against that tenant's signing key. A token whose tenant is not served gets the served tenant's check,
// and with it Graph's 401 for a token this server did not issue.
import type { Authenticator } from './authenticate.js';

interface Known {
  header: string;
  tenantId: string;
}

const MAX = 10_000;
const TAIL = 32;

/** The `tid` claim of a JWT in an Authorization header, read without verifying it (the tenant's check does that). */
export function tidOf(header: string): string | undefined {
  const token = /^\s*Bearer\s+(\S+)/i.exec(header)?.[1];
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const tid = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { tid?: unknown }).tid;
    return typeof tid === 'string' ? tid.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

export function tenantAuthenticator(find: (tenantId: string) => { authenticator: Authenticator } | undefined, fallback: () => Authenticator): Authenticator {
  // Decoding a token costs more than the rest of a cached check: the tenant is remembered by the header's tail.
  const known = new Map<string, Known>();
  return {
    authenticate(header) {
      const raw = header ?? '';
      const tail = raw.length > TAIL ? raw.slice(-TAIL) : raw;
      const hit = known.get(tail);
      let tenantId = hit && hit.header === raw ? hit.tenantId : undefined;
      if (tenantId === undefined) {
        tenantId = tidOf(raw);
        if (tenantId !== undefined) {
          if (known.size >= MAX) known.clear();
          known.set(tail, { header: raw, tenantId });
        }
      }
      const tenant = tenantId === undefined ? undefined : find(tenantId);
      return (tenant?.authenticator ?? fallback()).authenticate(header);
    },
  };
}
