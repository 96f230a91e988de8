// Certificates and client secrets held by app registrations, beside the app's original secret: Graph's
// keyCredentials and passwordCredentials. A certificate is kept as its DER bytes so the token endpoint can check a
// client assertion's signature and thumbprints; a secret only as its scrypt hash.
import { X509Certificate, randomBytes, randomUUID } from 'node:crypto';
import type { Db, Store, Tx } from '../store/open.js';
import { DirectoryError } from './model.js';
import { hashSecret, verifySecret } from './credentials.js';

export interface StoredKeyCredential {
  keyId: string;
  displayName: string | null;
  type: 'AsymmetricX509Cert';
  usage: 'Verify';
  /** DER certificate, base64. */
  key: string;
  /** SHA-1 thumbprint, base64url (the `x5t` header of an assertion). */
  x5t: string;
  /** SHA-256 thumbprint, base64url (`x5t#S256`). */
  x5tS256: string;
  /** The SHA-1 thumbprint as Graph's customKeyIdentifier (base64). */
  customKeyIdentifier: string;
  startDateTime: string;
  endDateTime: string;
}

export interface StoredPasswordCredential {
  keyId: string;
  displayName: string | null;
  hint: string;
  hash: string;
  startDateTime: string;
  endDateTime: string;
}

/** What Graph shows of a key credential: the key bytes are never returned by reads (`key: null`). */
export function keyCredentialView(k: StoredKeyCredential) {
  return {
    customKeyIdentifier: k.customKeyIdentifier,
    displayName: k.displayName,
    endDateTime: k.endDateTime,
    key: null,
    keyId: k.keyId,
    startDateTime: k.startDateTime,
    type: k.type,
    usage: k.usage,
  };
}

export function passwordCredentialView(p: StoredPasswordCredential, secretText: string | null = null) {
  return {
    customKeyIdentifier: null,
    displayName: p.displayName,
    endDateTime: p.endDateTime,
    hint: p.hint,
    keyId: p.keyId,
    secretText,
    startDateTime: p.startDateTime,
  };
}

const hexToB64url = (hex: string) => Buffer.from(hex.replace(/:/g, ''), 'hex').toString('base64url');

/** Reads a certificate given as PEM or as base64 DER (Graph's `key`). */
export function parseCertificate(input: string): X509Certificate {
  const text = input.trim();
  try {
    if (text.startsWith('-----BEGIN')) return new X509Certificate(text);
    const der = Buffer.from(text, 'base64');
    if (der.length === 0) throw new Error('empty');
    return new X509Certificate(der);
  } catch {
    throw new DirectoryError('invalid', 'Key credential key is invalid.');
  }
}

export interface NewKeyCredential {
  /** PEM or base64 DER. */
  certificate: string;
  displayName?: string | null;
  keyId?: string;
  startDateTime?: string;
  endDateTime?: string;
}

export function keyCredentialOf(input: NewKeyCredential): StoredKeyCredential {
  const cert = parseCertificate(input.certificate);
  return {
    keyId: (input.keyId ?? randomUUID()).toLowerCase(),
    displayName: input.displayName ?? cert.subject.replace(/\n/g, ', '),
    type: 'AsymmetricX509Cert',
    usage: 'Verify',
    key: cert.raw.toString('base64'),
    x5t: hexToB64url(cert.fingerprint),
    x5tS256: hexToB64url(cert.fingerprint256),
    customKeyIdentifier: Buffer.from(cert.fingerprint.replace(/:/g, ''), 'hex').toString('base64'),
    startDateTime: input.startDateTime ?? new Date(cert.validFrom).toISOString(),
    endDateTime: input.endDateTime ?? new Date(cert.validTo).toISOString(),
  };
}

type CredentialRow = { key_credentials: string; password_credentials: string };

async function rowOf(db: Db | Tx, clientId: string): Promise<CredentialRow | undefined> {
  return db
    .selectFrom('apps')
    .select(['key_credentials', 'password_credentials'])
    .where('client_id', '=', clientId.trim().toLowerCase())
    .executeTakeFirst();
}

export async function keyCredentialsOf(db: Db | Tx, clientId: string): Promise<StoredKeyCredential[]> {
  const row = await rowOf(db, clientId);
  return row ? (JSON.parse(row.key_credentials) as StoredKeyCredential[]) : [];
}

export async function passwordCredentialsOf(db: Db | Tx, clientId: string): Promise<StoredPasswordCredential[]> {
  const row = await rowOf(db, clientId);
  return row ? (JSON.parse(row.password_credentials) as StoredPasswordCredential[]) : [];
}

const unknownApp = (clientId: string) => new DirectoryError('notFound', `Resource '${clientId}' does not exist or one of its queried reference-property objects are not present.`);

type CredentialColumn = keyof CredentialRow;

/**
 * Reads one of the app's credential lists, lets `change` return the new list (or undefined to leave it), and writes
 * it back, all in one write; true when the list was written.
 */
async function editCredentials<T>(store: Store, clientId: string, column: CredentialColumn, change: (list: T[]) => T[] | undefined): Promise<boolean> {
  return store.write(async (tx) => {
    const row = await rowOf(tx, clientId);
    if (!row) throw unknownApp(clientId);
    const next = change(JSON.parse(row[column]) as T[]);
    if (!next) return false;
    await tx.updateTable('apps').set({ [column]: JSON.stringify(next) }).where('client_id', '=', clientId.trim().toLowerCase()).execute();
    return true;
  });
}

/** Replaces the app's key credentials (Graph's PATCH of `keyCredentials`) in one write. */
export async function setKeyCredentials(store: Store, clientId: string, keys: StoredKeyCredential[]): Promise<void> {
  await store.write(async (tx) => {
    const r = await tx.updateTable('apps').set({ key_credentials: JSON.stringify(keys) }).where('client_id', '=', clientId.toLowerCase()).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw unknownApp(clientId);
  });
}

/** Adds one certificate; a key id already present is refused. */
export async function addKeyCredential(store: Store, clientId: string, input: NewKeyCredential): Promise<StoredKeyCredential> {
  const cred = keyCredentialOf(input);
  await editCredentials<StoredKeyCredential>(store, clientId, 'key_credentials', (keys) => {
    if (keys.some((k) => k.keyId === cred.keyId)) throw new DirectoryError('conflict', `Key credential with keyId '${cred.keyId}' already exists.`);
    return [...keys, cred];
  });
  return cred;
}

/** Removes a certificate by key id; false when the app has none with that id. */
export async function removeKeyCredential(store: Store, clientId: string, keyId: string): Promise<boolean> {
  return editCredentials<StoredKeyCredential>(store, clientId, 'key_credentials', (keys) => {
    const left = keys.filter((k) => k.keyId !== keyId.toLowerCase());
    return left.length === keys.length ? undefined : left;
  });
}

/** Graph's addPassword: a generated secret, returned once in clear. */
export async function addPasswordCredential(
  store: Store,
  clientId: string,
  input: { displayName?: string | null; startDateTime?: string; endDateTime?: string },
): Promise<{ credential: StoredPasswordCredential; secretText: string }> {
  const secretText = `${randomBytes(3).toString('base64url').slice(0, 3)}8Q~${randomBytes(27).toString('base64url')}`.slice(0, 40);
  const start = input.startDateTime ?? new Date().toISOString();
  const end = input.endDateTime ?? new Date(Date.parse(start) + 2 * 365 * 86_400_000).toISOString();
  const credential: StoredPasswordCredential = {
    keyId: randomUUID(),
    displayName: input.displayName ?? null,
    hint: secretText.slice(0, 3),
    hash: await hashSecret(secretText),
    startDateTime: start,
    endDateTime: end,
  };
  await editCredentials<StoredPasswordCredential>(store, clientId, 'password_credentials', (list) => [...list, credential]);
  return { credential, secretText };
}

export async function removePasswordCredential(store: Store, clientId: string, keyId: string): Promise<boolean> {
  return editCredentials<StoredPasswordCredential>(store, clientId, 'password_credentials', (list) => {
    const left = list.filter((p) => p.keyId !== keyId.toLowerCase());
    return left.length === list.length ? undefined : left;
  });
}

/** Whether `secret` matches one of the app's added secrets that is inside its validity window. */
export async function matchesPasswordCredential(db: Db, clientId: string, secret: string, now = new Date()): Promise<boolean> {
  const iso = now.toISOString();
  for (const p of await passwordCredentialsOf(db, clientId)) {
    if (p.startDateTime > iso || p.endDateTime < iso) continue;
    if (await verifySecret(secret, p.hash)) return true;
  }
  return false;
}
