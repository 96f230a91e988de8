// The on-premises side of directory objects, as Active Directory tools see them: containers named by DN, new
// objects with an objectGUID and a SID from the domain, moves and renames, passwords and lockout.
// Containers (OUs, CN=Users) are not objects of their own here: a container exists as the parent part of DNs.
import { sql } from 'kysely';
import type { Directory } from './directory.js';
import { dnKey, domainDn, makeDn, newGuid, parseDn } from './ids.js';
import { type DirObject, DirectoryError, type Facet, type ObjectType, type Props } from './model.js';
import { toObject } from './rows.js';
import type { ObjectsTable } from '../store/schema.js';
import type { Writer } from './writer.js';


export function rdnOf(dn: string): { attr: string; value: string } | undefined {
  return parseDn(dn)?.[0];
}

/** The container part of a DN: everything after the first RDN. */
export function parentDn(dn: string): string {
  let i = 0;
  while (i < dn.length) {
    if (dn[i] === '\\') i += 2;
    else if (dn[i] === ',') return dn.slice(i + 1).trim();
    else i++;
  }
  return '';
}

/** example.com for …,DC=example,DC=com. */
export function domainOfDn(dn: string): string | null {
  const dcs = (parseDn(dn) ?? []).filter((r) => r.attr === 'DC').map((r) => r.value.toLowerCase());
  return dcs.length ? dcs.join('.') : null;
}

/** Refuses containers outside the tenant's domain: only the managed domain can hold new objects. */
export function requireManagedContainer(container: string, tenantDomain: string): string {
  const key = dnKey(container);
  if (!key) throw new DirectoryError('invalid', `'${container}' is not a valid distinguished name.`);
  const root = dnKey(domainDn(tenantDomain))!;
  if (key !== root && !key.endsWith(`,${root}`)) throw new DirectoryError('invalid', `The container '${container}' is not in a domain managed by this service (${tenantDomain}).`);
  return container.trim();
}

const UNDER_PAGE = 500;

/**
 * Objects with a DN under `base` (the whole subtree, or only its immediate children), ordered by DN, a page at a
 * time: each page is one keyset query on dn_key that leaves non-matching rows in the store, so a caller that stops
 * early (a search with sizeLimit) reads and parses no more than it returns.
 */
export async function* objectPagesUnder(dir: Directory, base: string | undefined, oneLevel: boolean): AsyncGenerator<DirObject[]> {
  const baseKey = base ? dnKey(base) : null;
  if (base && !baseKey) throw new DirectoryError('invalid', `'${base}' is not a valid distinguished name.`);
  // LIKE narrows in the store (on SQLite it ignores ASCII case, so it may let a few more through); endsWith decides.
  const suffix = baseKey ? `%,${baseKey.replace(/[\\%_]/g, (c) => `\\${c}`)}` : null;
  let after: string | null = null;
  for (;;) {
    let q = dir.db.selectFrom('objects').selectAll().where('dn_key', 'is not', null);
    if (suffix) q = q.where(sql<boolean>`dn_key like ${suffix} escape '\\'`);
    if (after !== null) q = q.where('dn_key', '>', after);
    const rows = (await q.orderBy('dn_key').limit(UNDER_PAGE).execute()) as ObjectsTable[];
    if (!rows.length) return;
    after = rows[rows.length - 1].dn_key!;
    const page = rows.filter((r) => {
      if (!baseKey) return true;
      const k = r.dn_key!;
      if (!k.endsWith(`,${baseKey}`)) return false;
      return !oneLevel || dnKey(parentDn(r.dn!)) === baseKey;
    });
    if (page.length) yield page.map(toObject);
    if (rows.length < UNDER_PAGE) return;
  }
}

export interface NewOnPremObject {
  type: ObjectType;
  facet?: Facet | null;
  container: string;
  cn: string;
  props: Props;
}

/** Creates an object in an AD container: DN CN=<cn>,<container>, a new objectGUID and a domain SID. */
export async function createOnPrem(w: Writer, input: NewOnPremObject, tenantDomain: string): Promise<DirObject> {
  const container = requireManagedContainer(input.container, tenantDomain);
  if (!input.cn.trim()) throw new DirectoryError('invalid', 'The name (cn) of the new object is required.');
  const dn = makeDn(input.cn.trim(), container);
  const sid = await w.allocateSid();
  const objectGuid = newGuid();
  const props: Props = { ...input.props };
  if (input.type === 'user' || input.type === 'group') props.onPremisesSecurityIdentifier = sid;
  if (input.type === 'user') {
    props.onPremisesDistinguishedName = dn;
    props.onPremisesImmutableId = Buffer.from(objectGuid.replace(/-/g, ''), 'hex').toString('base64');
  }
  if (input.type === 'group') props.securityIdentifier = sid;
  return w.create({ type: input.type, facet: input.facet ?? null, dn, objectGuid, sid, props });
}

async function setDn(w: Writer, obj: DirObject, dn: string): Promise<DirObject> {
  await w.setIdentity(obj, { dn });
  if (typeof obj.props.onPremisesDistinguishedName === 'string') return w.replaceProps({ ...obj, dn }, { ...obj.props, onPremisesDistinguishedName: dn });
  return { ...obj, dn };
}

export async function moveOnPrem(w: Writer, obj: DirObject, targetContainer: string, tenantDomain: string): Promise<DirObject> {
  if (!obj.dn) throw new DirectoryError('invalid', 'The object has no on-premises distinguished name and cannot be moved.');
  const container = requireManagedContainer(targetContainer, tenantDomain);
  const rdn = obj.dn.slice(0, obj.dn.length - parentDn(obj.dn).length).replace(/,\s*$/, '');
  return setDn(w, obj, `${rdn},${container}`);
}

export async function renameOnPrem(w: Writer, obj: DirObject, cn: string): Promise<DirObject> {
  if (!obj.dn) throw new DirectoryError('invalid', 'The object has no on-premises distinguished name and cannot be renamed.');
  const attr = rdnOf(obj.dn)?.attr ?? 'CN';
  const dn = makeDn(cn, parentDn(obj.dn)).replace(/^CN=/, `${attr}=`);
  return setDn(w, obj, dn);
}

/** Stores a password hash (computed by the caller, outside the serialised write); an active lockout stays. */
export async function setPasswordHash(w: Writer, userId: string, passwordHash: string): Promise<void> {
  await w.tx
    .insertInto('credentials')
    .values({ user_id: userId, password_hash: passwordHash, failed_attempts: 0, locked_until: null })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ password_hash: passwordHash }))
    .execute();
}

export async function unlockAccount(w: Writer, userId: string): Promise<void> {
  await w.tx.updateTable('credentials').set({ failed_attempts: 0, locked_until: null }).where('user_id', '=', userId).execute();
}
