// The DirectoryObject JSON of the Adaxes REST API: identity, type, account and password status, and the requested
// properties as a map of name → array of values.
import type { Directory } from '../directory/directory.js';
import { credentialState } from '../directory/credentials.js';
import type { DirObject, Props } from '../directory/model.js';
import { domainOfDn } from '../directory/on-prem.js';
import { isActiveDirectoryObject } from '../directory/on-prem-state.js';
import { type LinkedNames, readAttribute } from './attributes.js';

/**
 * Object types and codes. organizationalUnit 0, user 2, group 3 and computer 4 are documented; the codes for
 * contact (5) and the types AD has no class for are this server's choice.
 */
const TYPES: Record<string, { objectType: string; code: number }> = {
  user: { objectType: 'user', code: 2 },
  group: { objectType: 'group', code: 3 },
  device: { objectType: 'computer', code: 4 },
  orgContact: { objectType: 'contact', code: 5 },
  administrativeUnit: { objectType: 'administrativeUnit', code: 6 },
  servicePrincipal: { objectType: 'servicePrincipal', code: 7 },
};

export const adaxesTypeOf = (obj: DirObject) => TYPES[obj.type].objectType;

/** Adaxes objectType names a client may create or search for, and the store types behind them. */
export const STORE_TYPE: Record<string, DirObject['type']> = {
  user: 'user',
  group: 'group',
  computer: 'device',
  contact: 'orgContact',
  administrativeunit: 'administrativeUnit',
};

async function linkedNames(dir: Directory, obj: DirObject, wanted: string[]): Promise<LinkedNames> {
  const out: LinkedNames = {};
  // Objects that exist only in the cloud have no place in Active Directory's member and memberOf.
  const dnsOf = async (ids: string[]) => (await dir.getMany(ids, { onPremisesOnly: true })).filter(isActiveDirectoryObject).map((o) => o.dn!);
  if (wanted.includes('memberof')) out.memberOf = await dnsOf((await dir.sourcesOf('member', obj.id).execute()).map((r) => r.id));
  if (wanted.includes('member')) out.member = await dnsOf((await dir.targetsOf('member', obj.id).execute()).map((r) => r.id));
  return out;
}

export async function directoryObjectJson(dir: Directory, obj: DirObject, properties: readonly string[] = [], doc?: Props): Promise<Record<string, unknown>> {
  const d = doc ?? (await dir.documents([obj]))[0];
  const t = TYPES[obj.type];
  const out: Record<string, unknown> = {};
  if (obj.type === 'user' || obj.type === 'device') {
    const locked = obj.type === 'user' ? (await credentialState(dir.db, obj.id)).locked : false;
    out.accountStatus = { isDisabled: obj.props.accountEnabled === false, isLocked: locked, expirationDate: null };
    // Tenantbox passwords do not expire: status 1 with no date, as the documented computer example shows.
    out.passwordStatus = { whenChanged: null, expirationStatus: 1, expirationDate: null };
  }
  if (obj.type === 'device') out.computerType = 0;
  if (obj.type === 'group') {
    out.groupType = obj.props.securityEnabled === false ? 0 : 1;
    out.groupScope = 2;
    out.membershipType = obj.props.membershipRule ? 1 : 0;
  }
  Object.assign(out, {
    guid: obj.objectGuid ?? obj.id,
    dn: obj.dn,
    displayName: d.displayName ?? null,
    objectType: t.objectType,
    objectTypeCode: t.code,
    domainName: (obj.dn && domainOfDn(obj.dn)) ?? dir.tenant.domain,
    directoryType: obj.dn ? 1 : 2,
  });
  const lowered = properties.map((p) => p.toLowerCase());
  const linked = await linkedNames(dir, obj, lowered);
  const props: Record<string, unknown[]> = {};
  for (const p of properties) props[p] = readAttribute(p, obj, d, linked);
  out.properties = props;
  return out;
}

/** `properties=a,b` (comma-separated, no whitespace promised) → names. */
export function propertyList(raw: string | undefined): string[] {
  return [...new Set((raw ?? '').split(',').map((s) => s.trim()).filter(Boolean))];
}
