// Creating, changing and deleting users and groups as Graph's POST/PATCH/DELETE do. Bodies are checked against
// the CSDL before the first write; what Entra computes or owns (ids, timestamps, licences, sync state, SIDs) is
// read-only. Every write is one transaction, so a refused request changes nothing.
import { hashSecret } from './credentials.js';
import type { Directory } from './directory.js';
import { type DirObject, DirectoryError, type ObjectType, type Props } from './model.js';
import { setPasswordHash } from './on-prem.js';
import { type WriteRules, blankProps, checkUpn, checkWriteBody, invalid } from './write-body.js';

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

const rulesOf = (kind: Kind): WriteRules => ({ resource: kind, label: LABEL[kind], readOnly: READ_ONLY[kind], required: REQUIRED[kind], notNull: NOT_NULL, signsIn: kind === 'user' });

export async function createUser(dir: Directory, body: Props): Promise<DirObject> {
  const { props, password } = checkWriteBody(rulesOf('user'), body, 'create');
  checkUpn(dir, props.userPrincipalName);
  const hash = await hashSecret(password!);
  return dir.write(async (w) => {
    const doc: Props = { ...blankProps('user'), ...props, createdDateTime: new Date().toISOString(), userType: props.userType ?? 'Member', passwordProfile: null };
    doc.mail ??= null;
    doc.proxyAddresses = [];
    const user = await w.create({ type: 'user', props: doc });
    await setPasswordHash(w, user.id, hash);
    return user;
  });
}

export async function createGroup(dir: Directory, body: Props): Promise<DirObject> {
  const { props } = checkWriteBody(rulesOf('group'), body, 'create');
  const unified = Array.isArray(props.groupTypes) && (props.groupTypes as string[]).includes('Unified');
  if (props.mailEnabled === true && !unified) throw invalid('Mail-enabled security groups cannot be created through Graph; create a Microsoft 365 group (groupTypes Unified) or a security group.', 'mailEnabled');
  return dir.write(async (w) => {
    const sid = await w.allocateSid();
    const nick = String(props.mailNickname);
    const doc: Props = {
      ...blankProps('group'),
      ...props,
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
  const { props, password } = checkWriteBody(rulesOf(kind), body, 'update');
  if ('userPrincipalName' in props) checkUpn(dir, props.userPrincipalName);
  const hash = password ? await hashSecret(password) : undefined;
  await dir.write(async (w) => {
    const obj = await w.load(id.toLowerCase());
    if (!obj || obj.type !== kind) throw new DirectoryError('notFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, { id });
    if (Object.keys(props).length) await w.replaceProps(obj, { ...obj.props, ...props });
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
