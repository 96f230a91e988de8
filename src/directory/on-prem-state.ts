// One identity model for both faces. A user is one of:
// - cloud-only: a Microsoft 365 (Entra ID) account with no Active Directory account; Graph's onPremises* are null
//   and the Adaxes face, which manages Active Directory, does not know the user;
// - synchronised: an Active Directory user that directory synchronisation (Entra Connect) provisioned in
//   Microsoft 365; Graph shows onPremisesSyncEnabled, the DN, SID, sAMAccountName, immutable id and the last sync
//   time, and Adaxes shows the same DN, SID and objectGUID with isCreated and lastDirSyncTimeUtc to match;
// - on-premises only: an Active Directory user with no Microsoft 365 account (not yet synchronised, or outside
//   the sync scope); Adaxes shows it with isCreated false and no sync time.
// Other directory objects are Active Directory objects when they have a DN.
import type { DirObject, Props } from './model.js';

export type OnPremisesState = 'cloudOnly' | 'synced' | 'onPremisesOnly';

/** Marks an Active Directory user that has no Microsoft 365 account (a stored fact, not a Graph property). */
export const ON_PREMISES_ONLY = 'onPremisesOnly';
/** Microsoft 365 settings asked for at creation, applied when synchronisation creates the account. */
export const PENDING_M365 = 'pendingM365';
/**
 * The object_index property of the one row every such user has (resource 'user', value 'true'): Graph's reads
 * leave these users out with an index probe instead of reading their documents. '@' keeps it apart from Graph names.
 */
export const NO_M365_INDEX_PROP = '@onPremisesOnly';

/** Reads of users by Graph leave out on-premises-only users; the Adaxes face, which manages AD, asks for them. */
export interface Reach {
  onPremisesOnly?: boolean;
}

export function onPremisesStateOf(user: Pick<DirObject, 'props'>): OnPremisesState {
  if (user.props.onPremisesSyncEnabled === true) return 'synced';
  if (user.props[ON_PREMISES_ONLY] === true) return 'onPremisesOnly';
  return 'cloudOnly';
}

/** Whether the object exists in Active Directory, i.e. whether the Adaxes face can see it at all. */
export function isActiveDirectoryObject(obj: DirObject): boolean {
  if (!obj.dn) return false;
  return obj.type !== 'user' || onPremisesStateOf(obj) !== 'cloudOnly';
}

export function hasMicrosoft365Account(user: DirObject): boolean {
  return user.type === 'user' && onPremisesStateOf(user) !== 'onPremisesOnly';
}

/** Whether `reach` lets a read return `obj`: only on-premises-only users are ever held back. */
export function withinReach(obj: Pick<DirObject, 'type' | 'props'>, reach?: Reach): boolean {
  return reach?.onPremisesOnly === true || obj.type !== 'user' || onPremisesStateOf(obj) !== 'onPremisesOnly';
}

/**
 * The sync scope: a user is provisioned in Microsoft 365 when its userPrincipalName lies in a domain the tenant has
 * verified (the tenant's domain, a subdomain of it, or its onmicrosoft.com domain). An account whose UPN suffix is
 * not routable (e.g. example.local) or that has no UPN stays on-premises only.
 */
export function inSyncScope(user: Pick<DirObject, 'props'>, tenantDomain: string): boolean {
  const upn = user.props.userPrincipalName;
  if (typeof upn !== 'string' || !upn.includes('@')) return false;
  const domain = upn.slice(upn.lastIndexOf('@') + 1).toLowerCase();
  const verified = tenantDomain.toLowerCase();
  return domain === verified || domain.endsWith(`.${verified}`) || domain === `${verified.split('.')[0]}.onmicrosoft.com`;
}

export const immutableIdOf = (objectGuid: string) => Buffer.from(objectGuid.replace(/-/g, ''), 'hex').toString('base64');

/** What Entra Connect writes on the cloud account of a synchronised user, from its Active Directory identity. */
export function syncedUserProps(user: DirObject, props: Props, at: string, tenantDomain: string): Props {
  const out: Props = {
    ...props,
    onPremisesSyncEnabled: true,
    onPremisesLastSyncDateTime: at,
    onPremisesDistinguishedName: user.dn,
    onPremisesSecurityIdentifier: user.sid,
    onPremisesImmutableId: user.objectGuid ? immutableIdOf(user.objectGuid) : null,
    onPremisesDomainName: tenantDomain,
    onPremisesUserPrincipalName: typeof props.userPrincipalName === 'string' ? props.userPrincipalName : null,
  };
  delete out[ON_PREMISES_ONLY];
  delete out[PENDING_M365];
  return out;
}

/** An Active Directory user without a cloud account: none of the synchronised markers are set. */
export function onPremisesOnlyProps(props: Props): Props {
  return {
    ...props,
    [ON_PREMISES_ONLY]: true,
    onPremisesSyncEnabled: null,
    onPremisesLastSyncDateTime: null,
    onPremisesDistinguishedName: null,
    onPremisesSecurityIdentifier: null,
    onPremisesImmutableId: null,
  };
}
