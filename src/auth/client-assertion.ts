// private_key_jwt: a confidential client proves itself with a JWT signed by one of its certificates
// (Learn: identity-platform/certificate-credentials.md). Checked here: the certificate named by x5t / x5t#S256 / kid,
// the signature, aud = the token endpoint, iss = sub = client id, exp / nbf, and that the jti was never used before.
// Used jtis live in the store (tokens of kind 'assertionJti' until the assertion expires): every node sees them.
import { createPublicKey, X509Certificate } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import { keyCredentialsOf, type StoredKeyCredential } from '../directory/key-credentials.js';
import { createToken } from '../directory/tokens-store.js';
import type { Store } from '../store/open.js';
import { CLOCK_SKEW_SECONDS } from './tokens.js';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export type AssertionFailure =
  | { reason: 'malformed'; detail: string }
  | { reason: 'keyNotFound'; thumbprint: string }
  | { reason: 'signature' }
  | { reason: 'audience'; audience: string }
  | { reason: 'clientMismatch' }
  | { reason: 'subjectMismatch' }
  | { reason: 'time'; now: number; nbf?: number; exp?: number }
  | { reason: 'replayed'; jti: string }
  | { reason: 'missingClaim'; claim: string };

export class AssertionError extends Error {
  constructor(readonly failure: AssertionFailure) {
    super(failure.reason);
  }
}

// Assertions are short-lived; a week-long one is not what certificate-credentials.md describes, and its jti would
// be kept that long.
const MAX_JTI_SECONDS = 24 * 3600;

function matchingKey(header: ProtectedHeaderParameters, keys: StoredKeyCredential[], now: Date): StoredKeyCredential | undefined {
  const x5t = typeof header.x5t === 'string' ? header.x5t : undefined;
  const s256 = typeof header['x5t#S256'] === 'string' ? (header['x5t#S256'] as string) : undefined;
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const iso = now.toISOString();
  return keys.find((k) => {
    if (k.startDateTime > iso || k.endDateTime < iso) return false;
    if (s256 && s256 === k.x5tS256) return true;
    if (x5t && x5t === k.x5t) return true;
    // Some clients put the thumbprint (hex or base64url) or the key id into kid.
    if (kid) {
      const hexSha1 = Buffer.from(k.x5t, 'base64url').toString('hex');
      return kid === k.keyId || kid === k.x5t || kid === k.x5tS256 || kid.toLowerCase() === hexSha1;
    }
    return false;
  });
}

/**
 * Verifies `assertion` for `clientId` presented at `tokenEndpoints` (the v2 and v1 URLs of this request, in the
 * forms clients build: with the tenant id or domain). Records the jti; throws AssertionError otherwise.
 */
export async function verifyClientAssertion(
  store: Store,
  clientId: string,
  assertion: string,
  tokenEndpoints: string[],
  now = new Date(),
): Promise<StoredKeyCredential> {
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    throw new AssertionError({ reason: 'malformed', detail: 'The client assertion is not a JWT.' });
  }
  if (header.alg !== 'RS256' && header.alg !== 'PS256') throw new AssertionError({ reason: 'malformed', detail: `The signing algorithm '${String(header.alg)}' is not supported.` });
  const key = matchingKey(header, await keyCredentialsOf(store.db, clientId), now);
  if (!key) {
    const given = String(header['x5t#S256'] ?? header.x5t ?? header.kid ?? '');
    throw new AssertionError({ reason: 'keyNotFound', thumbprint: given ? Buffer.from(given, 'base64url').toString('hex').toUpperCase() : '' });
  }
  let payload: Record<string, unknown>;
  try {
    const publicKey = createPublicKey(new X509Certificate(Buffer.from(key.key, 'base64')).publicKey.export({ type: 'spki', format: 'pem' }));
    const verified = await compactVerify(assertion, publicKey, { algorithms: ['RS256', 'PS256'] });
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
  } catch {
    throw new AssertionError({ reason: 'signature' });
  }
  for (const claim of ['aud', 'iss', 'sub', 'exp', 'jti']) if (payload[claim] === undefined) throw new AssertionError({ reason: 'missingClaim', claim });
  const audiences = (Array.isArray(payload.aud) ? payload.aud : [payload.aud]).map(String);
  const wanted = new Set(tokenEndpoints.map((e) => e.toLowerCase()));
  if (!audiences.some((a) => wanted.has(a.toLowerCase()))) throw new AssertionError({ reason: 'audience', audience: audiences.join(',') });
  if (String(payload.iss) !== String(payload.sub)) throw new AssertionError({ reason: 'subjectMismatch' });
  if (String(payload.sub).toLowerCase() !== clientId.toLowerCase()) throw new AssertionError({ reason: 'clientMismatch' });
  const t = Math.floor(now.getTime() / 1000);
  const exp = Number(payload.exp);
  const nbf = payload.nbf === undefined ? undefined : Number(payload.nbf);
  if (!Number.isFinite(exp) || t - CLOCK_SKEW_SECONDS >= exp || (nbf !== undefined && (!Number.isFinite(nbf) || t + CLOCK_SKEW_SECONDS < nbf)))
    throw new AssertionError({ reason: 'time', now: t, nbf, exp });
  const jti = String(payload.jti);
  try {
    await store.write(async (tx) => {
      await tx.deleteFrom('tokens').where('user_id', '=', '').where('kind', '=', 'assertionJti').where('expires_at', '<', now.toISOString()).execute();
      await createToken(store, {
      kind: 'assertionJti',
      userId: '',
      clientId: clientId.toLowerCase(),
      token: `${clientId.toLowerCase()}|${jti}`,
      ttlSeconds: Math.min(MAX_JTI_SECONDS, Math.max(0, exp - t) + CLOCK_SKEW_SECONDS),
      now,
      }, tx);
    });
  } catch {
    // The primary key on the jti's hash refuses the second insert, on every node at once.
    throw new AssertionError({ reason: 'replayed', jti });
  }
  return key;
}

/** The audience of an addKey / removeKey proof (Learn: application-addkey, "proof"). */
export const KEY_PROOF_AUDIENCE = '00000002-0000-0000-c000-000000000000';

/**
 * Checks the proof of possession Graph's addKey and removeKey take: a JWT signed by one of the app's current
 * certificates, aud 00000002-0000-0000-c000-000000000000, iss the application (object id or appId), inside nbf..exp.
 */
export async function verifyKeyProof(keys: StoredKeyCredential[], proof: string, issuers: string[], now = new Date()): Promise<boolean> {
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    return false;
  }
  const key = matchingKey(header, keys, now) ?? (header.x5t || header['x5t#S256'] || header.kid ? undefined : keys.find((k) => k.startDateTime <= now.toISOString() && k.endDateTime >= now.toISOString()));
  if (!key) return false;
  try {
    const publicKey = createPublicKey(new X509Certificate(Buffer.from(key.key, 'base64')).publicKey.export({ type: 'spki', format: 'pem' }));
    const { payload } = await compactVerify(proof, publicKey, { algorithms: ['RS256', 'PS256'] });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
    const t = Math.floor(now.getTime() / 1000);
    if (String(claims.aud).toLowerCase() !== KEY_PROOF_AUDIENCE) return false;
    if (!issuers.map((i) => i.toLowerCase()).includes(String(claims.iss).toLowerCase())) return false;
    if (typeof claims.exp !== 'number' || t - CLOCK_SKEW_SECONDS >= claims.exp) return false;
    if (typeof claims.nbf === 'number' && t + CLOCK_SKEW_SECONDS < claims.nbf) return false;
    return true;
  } catch {
    return false;
  }
}
