// Every Graph resource Tenantbox serves, registered once on one router; each handler works on the kit of the
// tenant its request's token belongs to (ctx.kit).
import type { GraphRouter } from './router.js';
import { userRoutes } from './users.js';
import { groupRoutes } from './groups.js';
import { administrativeUnitRoutes, contactRoutes, servicePrincipalRoutes } from './directory-resources.js';
import { deviceRoutes } from './devices.js';
import { directoryObjectActionRoutes } from './directory-object-actions.js';
import { licensingRoutes } from './licensing.js';
import { educationClassRoutes } from './education-classes.js';
import { educationSchoolRoutes } from './education-schools.js';
import { educationUserRoutes } from './education-users.js';
import { educationMeRoutes } from './education-me.js';
import { educationWriteRoutes } from './education-writes.js';
import { administrativeUnitMemberRoutes } from './administrative-unit-members.js';
import { domainRoutes, organizationRoutes } from './organization.js';
import { applicationRoutes } from './applications.js';
import { directoryRoleRoutes } from './directory-roles.js';

export function registerGraphRoutes(g: GraphRouter) {
  userRoutes(g);
  groupRoutes(g);
  administrativeUnitRoutes(g);
  contactRoutes(g);
  servicePrincipalRoutes(g);
  deviceRoutes(g);
  directoryObjectActionRoutes(g);
  licensingRoutes(g);
  educationClassRoutes(g);
  educationSchoolRoutes(g);
  educationUserRoutes(g);
  educationMeRoutes(g);
  educationWriteRoutes(g);
  administrativeUnitMemberRoutes(g);
  organizationRoutes(g);
  domainRoutes(g);
  applicationRoutes(g);
  directoryRoleRoutes(g);
}
