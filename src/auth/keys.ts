// Key material that must be the same on every node and survive restarts, so it lives in the store's `meta` table
// (the SQLite file in the data dir, or PostgreSQL when scaled out): the RS256 token-signing key and an HMAC
// secret for opaque values other modules sign (skiptokens, delta tokens).
import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Store } from '../store/open.js';
import { getOrCreateMeta } from '../directory/meta.js';

export const SIGNING_KEY_META = 'signing_key';
export const HMAC_KEY_META = 'hmac_key';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public half as published in the JWKS. */
  publicJwk: JWK;
}

export interface Jwks {
  keys: JWK[];
}

// One load per store: every caller on a node shares the same promise, and a failed load is retried next time.
const signingCache = new WeakMap<Store, Promise<SigningKey>>();
const hmacCache = new WeakMap<Store, Promise<Buffer>>();

function cached<T>(cache: WeakMap<Store, Promise<T>>, store: Store, load: () => Promise<T>): Promise<T> {
  let p = cache.get(store);
  if (!p) {
    p = load();
    cache.set(store, p);
    p.catch(() => cache.delete(store));
  }
  return p;
}

async function loadSigningKey(store: Store): Promise<SigningKey> {
  const stored = await getOrCreateMeta(store, SIGNING_KEY_META, async () => {
    const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const jwk = await exportJWK(privateKey);
    return JSON.stringify({ ...jwk, alg: 'RS256', use: 'sig' });
  });
  const privateJwk = JSON.parse(stored) as JWK;
  const publicJwk: JWK = { kty: privateJwk.kty, n: privateJwk.n, e: privateJwk.e };
  // The RFC 7638 thumbprint depends only on the public key, so it is stable for as long as the key is.
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const privateKey = (await importJWK(privateJwk, 'RS256')) as CryptoKey;
  const publicKey = (await importJWK(publicJwk, 'RS256')) as CryptoKey;
  return { kid, privateKey, publicKey, publicJwk: { kty: 'RSA', use: 'sig', alg: 'RS256', kid, n: publicJwk.n, e: publicJwk.e } };
}

/** The token-signing key: generated on first use, then read from the store. */
export function getSigningKey(store: Store): Promise<SigningKey> {
  return cached(signingCache, store, () => loadSigningKey(store));
}

/** The public keys, shaped as Entra's `discovery/v2.0/keys` document. */
export async function getJwks(store: Store): Promise<Jwks> {
  const key = await getSigningKey(store);
  return { keys: [key.publicJwk] };
}

/** A 256-bit secret shared by every node, for HMAC-signing opaque values (skiptokens, delta tokens). */
export function getHmacKey(store: Store): Promise<Buffer> {
  return cached(hmacCache, store, async () => {
    const value = await getOrCreateMeta(store, HMAC_KEY_META, async () => randomBytes(32).toString('base64url'));
    return Buffer.from(value, 'base64url');
  });
}

/** Alias of getHmacKey. */
export const hmacKey = getHmacKey;
