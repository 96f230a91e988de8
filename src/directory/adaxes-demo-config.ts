// The Adaxes configuration of the demo tenant, as data (the same JSON a fixture or PUT /admin/adaxes/configuration
// takes): the two roles a fresh Adaxes service has assigned, plus an administrators role and a help-desk role
// assigned through groups. Password change stays off for REST, as in a fresh service.
import { BUILT_IN_ROLES, DEFAULT_ALLOWED_OPERATIONS } from './adaxes-config.js';

export const DEMO_ADMINS_GROUP_DN = 'CN=Adaxes Administrators,OU=Groups,DC=example,DC=com';
export const DEMO_HELP_DESK_GROUP_DN = 'CN=Help Desk,OU=Groups,DC=example,DC=com';

export const DEMO_ADAXES_CONFIG = {
  securityRoles: [
    ...BUILT_IN_ROLES,
    {
      name: 'Administrators',
      description: 'Full control over every object of the managed domain.',
      permissions: [{ access: 'allow', rights: ['fullControl'] }],
      assignments: [{ trustee: DEMO_ADMINS_GROUP_DN, scope: [{ type: 'all' }] }],
    },
    {
      name: 'Help Desk',
      description: 'Views accounts, resets passwords, unlocks, enables and disables user accounts and edits their phone numbers in CN=Users.',
      permissions: [
        { access: 'allow', rights: ['read', 'resetPassword', 'unlockAccount', 'enableDisableAccount'], objectTypes: ['user'] },
        { access: 'allow', rights: ['writeProperty'], objectTypes: ['user'], properties: ['telephoneNumber', 'mobile'] },
      ],
      assignments: [{ trustee: DEMO_HELP_DESK_GROUP_DN, scope: [{ type: 'container', dn: 'CN=Users,DC=example,DC=com', inheritance: 'subtree' }] }],
    },
  ],
  allowedOperations: DEFAULT_ALLOWED_OPERATIONS,
  directorySync: { mode: 'immediate' },
};
