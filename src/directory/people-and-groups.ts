// Creating, changing and deleting users and groups as Graph's POST/PATCH/DELETE do. Bodies are checked against
// the CSDL before the first write; what Entra computes or owns (ids, timestamps, licences, sync state, SIDs) is
// read-only. Every write is one transaction, so a refused request changes nothing.
import { resource } from '../schema/resources.js';
import { hashSecret } from './credentials.js';
import type { Directory } from './directory.js';
import { type DirObject, DirectoryError, type ObjectType, type Props } from './model.js';
import { setPasswordHash } from './on-prem.js';
import { checkValue } from './property-checks.js';

type Kind = 'user' | 'group';

const LABEL: Record<Kind, string> = { user: 'User', group: 'Group' };

/** Computed or owned by the service (Graph documents them read-only). */
const READ_ONLY: Record<Kind, Set<string>> = {
  user: new Set([
    'id', 'deletedDateTime', 'assignedLicenses', 'assignedPlans', 'createdDateTime', 'creationType', 'externalUserState',
    'externalUserStateChangeDateTime', 'identityParentId', 'isManagementRestricted', 'isResourceAccount', 'lastPasswordChangeDateTime',
    'legalAgeGroupClassification', 'licenseAssignmentStates', 'mailboxSettings', 'onPremisesDistinguishedName', 'onPremisesDomainName',
    'onPremisesLastSyncDateTime', 'onPremisesProvisioningErrors', 'onPremisesSamAccountName', 'onPremisesSecurityIdentifier',
    'onPremisesSyncEnabled', 'onPremisesUserPrincipalName', 'print', 'provisionedPlans', 'proxyAddresses', 'securityIdentifier',
    'serviceProvisioningErrors', 'signInActivity', 'signInSessionsValidFromDateTime', 'authorizationInfo', 'customSecurityAttributes',
  ]),
  group: new Set([
    'id', 'deletedDateTime', 'assignedLicenses', 'createdDateTime', 'expirationDateTime', 'hasMembersWithLicenseErrors', 'isArchived',
    'isFavorite', 'isManagementRestricted', 'isSubscribedByMail', 'licenseProcessingState', 'mail', 'onPremisesDomainName',
    'onPremisesLastSyncDateTime', 'onPremisesNetBiosName', 'onPremisesProvisioningErrors', 'onPremisesSamAccountName',
    'onPremisesSecurityIdentifier', 'onPremisesSyncEnabled', 'organizationId', 'proxyAddresses', 'renewedDateTime', 'securityIdentifier',
    'serviceProvisioningErrors', 'unseenConversationsCount', 'unseenCount', 'unseenMessagesCount',
  ]),
};

const REQUIRED: Record<Kind, string[]> = {
  user: ['accountEnabled', 'displayName', 'mailNickname', 'passwordProfile', 'userPrincipalName'],
  group: ['displayName', 'mailEnabled', 'mailNickname', 'securityEnabled'],
};

/** "Cannot be cleared": may change, never to null or empty. */
const NOT_NULL = new Set(['displayName', 'accountEnabled', 'userPrincipalName', 'mailNickname', 'mailEnabled', 'securityEnabled']);

const invalid = (message: string, property?: string) => new DirectoryError('invalid', message, property ? { property } : {});

/** Checked values of a body; passwordProfile is returned apart because it is never stored as a property. */
function parseBody(kind: Kind, body: Props, mode: 'create' | 'update'): { props: Map<string, unknown>; password?: string } {
  const meta = resource(kind).properties;
  const props = new Map<string, unknown>();
  let password: string | undefined;
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith('@')) continue;
    if (!Object.prototype.hasOwnProperty.call(meta, name)) throw invalid(`Invalid property '${name}'.`, name);
    if (READ_ONLY[kind].has(name)) throw invalid(`Property '${name}' is read-only and cannot be set.`, name);
    checkValue(name, LABEL[kind], meta[name], value, NOT_NULL.has(name));
    if (name === 'passwordProfile') {
      const p = value as { password?: unknown } | null;
      if (p && p.password !== undefined) {
        if (typeof p.password !== 'string' || p.password.length < 8)
          throw invalid('The specified password does not comply with password complexity requirements. Please provide a different password.', 'passwordProfile');
        password = p.password;
      }
      continue;
    }
    props.set(name, value);
  }
  if (mode === 'create') {
    for (const name of REQUIRED[kind]) if (!(name in body) || body[name] === null) throw invalid(`Property '${name}' is required when creating the object.`, name);
    if (kind === 'user' && password === undefined) throw invalid("The passwordProfile of a new user needs a 'password'.", 'passwordProfile');
  }
  return { props, password };
}

function checkUpn(dir: Directory, upn: unknown) {
  const domain = typeof upn === 'string' ? /^[^@\s]+@([^@\s]+)$/.exec(upn)?.[1]?.toLowerCase() : undefined;
  const tenant = dir.tenant.domain.toLowerCase();
  if (!domain || (domain !== tenant && !domain.endsWith(`.${tenant}`)))
    throw invalid(`The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.`, 'userPrincipalName');
}

/** Every CSDL property of the type, unset. */
function blank(kind: Kind): Props {
  const out: Props = {};
  for (const p of Object.values(resource(kind).properties)) if (p.name !== 'id') out[p.name] = p.collection ? [] : null;
  return out;
}

export async function createUser(dir: Directory, body: Props): Promise<DirObject> {
  const { props, password } = parseBody('user', body, 'create');
  checkUpn(dir, props.get('userPrincipalName'));
  const hash = await hashSecret(password!);
  return dir.write(async (w) => {
    const doc: Props = { ...blank('user'), ...Object.fromEntries(props), createdDateTime: new Date().toISOString(), userType: props.get('userType') ?? 'Member', passwordProfile: null };
    doc.mail ??= null;
    doc.proxyAddresses = [];
    const user = await w.create({ type: 'user', props: doc });
    await setPasswordHash(w, user.id, hash);
    return user;
  });
}

export async function createGroup(dir: Directory, body: Props): Promise<DirObject> {
  const { props } = parseBody('group', body, 'create');
  const unified = Array.isArray(props.get('groupTypes')) && (props.get('groupTypes') as string[]).includes('Unified');
  if (props.get('mailEnabled') === true && !unified) throw invalid('Mail-enabled security groups cannot be created through Graph; create a Microsoft 365 group (groupTypes Unified) or a security group.', 'mailEnabled');
  return dir.write(async (w) => {
    const sid = await w.allocateSid();
    const nick = String(props.get('mailNickname'));
    const doc: Props = {
      ...blank('group'),
      ...Object.fromEntries(props),
      createdDateTime: new Date().toISOString(),
      renewedDateTime: new Date().toISOString(),
      securityIdentifier: sid,
      mail: unified ? `${nick}@${dir.tenant.domain}` : null,
      proxyAddresses: unified ? [`SMTP:${nick}@${dir.tenant.domain}`] : [],
    };
    return w.create({ type: 'group', sid, props: doc });
  });
}

/** PATCH: properties left out keep their values. */
export async function updateObject(dir: Directory, kind: Kind, id: string, body: Props): Promise<void> {
  const { props, password } = parseBody(kind, body, 'update');
  if (props.has('userPrincipalName')) checkUpn(dir, props.get('userPrincipalName'));
  const hash = password ? await hashSecret(password) : undefined;
  await dir.write(async (w) => {
    const obj = await w.load(id.toLowerCase());
    if (!obj || obj.type !== kind) throw new DirectoryError('notFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, { id });
    if (props.size) await w.replaceProps(obj, { ...obj.props, ...Object.fromEntries(props) });
    if (hash) await setPasswordHash(w, obj.id, hash);
  });
}

export async function deleteObject(dir: Directory, type: ObjectType, id: string): Promise<void> {
  await dir.write(async (w) => {
    const obj = await w.load(id.toLowerCase());
    if (!obj || obj.type !== type) throw new DirectoryError('notFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, { id });
    await w.delete(obj);
  });
}
