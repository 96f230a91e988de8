// Every Graph resource Tenantbox serves, registered on one router.
import type { Directory } from '../directory/directory.js';
import type { GraphRouter } from './router.js';
import { GraphKit } from './kit.js';
import { userRoutes } from './users.js';
import { groupRoutes } from './groups.js';
import { administrativeUnitRoutes, contactRoutes, servicePrincipalRoutes } from './directory-resources.js';

export function registerGraphRoutes(g: GraphRouter, deps: { dir: Directory; signingSecret: Buffer }) {
  const kit = new GraphKit(deps.dir, deps.signingSecret);
  userRoutes(g, kit);
  groupRoutes(g, kit);
  administrativeUnitRoutes(g, kit);
  contactRoutes(g, kit);
  servicePrincipalRoutes(g, kit);
  return kit;
}
