// Every Graph resource Tenantbox serves, registered on one router.
import type { Directory } from '../directory/directory.js';
import type { GraphRouter } from './router.js';
import { GraphKit } from './kit.js';
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
import { domainRoutes, organizationRoutes } from './organization.js';

export function registerGraphRoutes(g: GraphRouter, deps: { dir: Directory; signingSecret: Buffer }) {
  const kit = new GraphKit(deps.dir, deps.signingSecret);
  userRoutes(g, kit);
  groupRoutes(g, kit);
  administrativeUnitRoutes(g, kit);
  contactRoutes(g, kit);
  servicePrincipalRoutes(g, kit);
  deviceRoutes(g, kit);
  directoryObjectActionRoutes(g, kit);
  licensingRoutes(g, kit);
  educationClassRoutes(g, kit);
  educationSchoolRoutes(g, kit);
  educationUserRoutes(g, kit);
  educationMeRoutes(g, kit);
  organizationRoutes(g, kit);
  domainRoutes(g, kit);
  return kit;
}
