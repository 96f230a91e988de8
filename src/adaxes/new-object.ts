// What a new AD object looks like on the Graph side: the properties a real directory would fill in, before the
// client's own attributes are written over them.
import { newGuid } from '../directory/ids.js';
import type { DirObject, ObjectType, Props } from '../directory/model.js';

const ext = () => Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`extensionAttribute${i + 1}`, null]));
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'object';

export function initialProps(type: ObjectType, cn: string, domain: string, now: string): Props {
  // Groups, contacts and computers reach the cloud with their creation. A user's account follows the tenant's sync
  // rule (directory-sync.ts), which sets or withholds the synchronised markers.
  const synced = { onPremisesSyncEnabled: true, onPremisesLastSyncDateTime: now };
  switch (type) {
    case 'user':
      return {
        accountEnabled: true,
        displayName: cn,
        userType: 'Member',
        createdDateTime: now,
        usageLocation: null,
        businessPhones: [],
        otherMails: [],
        proxyAddresses: [],
        onPremisesDomainName: domain,
        onPremisesExtensionAttributes: ext(),
        passwordPolicies: null,
        showInAddressList: true,
      };
    case 'group':
      return {
        displayName: cn,
        description: null,
        securityEnabled: true,
        mailEnabled: false,
        mail: null,
        mailNickname: slug(cn),
        groupTypes: [],
        proxyAddresses: [],
        visibility: null,
        createdDateTime: now,
        ...synced,
      };
    case 'orgContact':
      return { displayName: cn, proxyAddresses: [], addresses: [], phones: [], ...synced };
    case 'device':
      return {
        accountEnabled: true,
        displayName: cn,
        deviceId: newGuid(),
        operatingSystem: 'Windows',
        operatingSystemVersion: null,
        trustType: 'ServerAd',
        registrationDateTime: now,
        alternativeSecurityIds: [],
        physicalIds: [],
        systemLabels: [],
        extensionAttributes: ext(),
        ...synced,
      };
    default:
      return { displayName: cn };
  }
}

/** Fills what follows from the written attributes: a mail nickname and the on-premises UPN. */
export function completeProps(obj: Pick<DirObject, 'type'>, props: Props): Props {
  if (obj.type === 'user') {
    const upn = typeof props.userPrincipalName === 'string' ? props.userPrincipalName : null;
    props.onPremisesUserPrincipalName = upn;
    props.mailNickname ??= (props.onPremisesSamAccountName as string | undefined) ?? upn?.split('@')[0] ?? slug(String(props.displayName));
  }
  return props;
}
