import { test, expect } from 'vitest';
import { startTestServer, graphFetch } from '../support/server.js';
test('smoke', async () => {
  const s = await startTestServer('sqlite');
  try {
    const t = await s.appToken('Tenant Admin');
    for (const u of ['/users?$top=3&$select=id,displayName', '/groups?$top=2', '/users/john.smith@example.com', '/users/john.smith@example.com/transitiveMemberOf', "/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')", '/nope', '/users?$filter=startsWith(displayName,\'J\')&$top=2']) {
      const r = await graphFetch(s.graph + u, t);
      console.log(u, r.status, JSON.stringify(r.body).slice(0, 400));
    }
    const r2 = await graphFetch(s.graph + '/users?$top=2', t);
    const n = await graphFetch(r2.body['@odata.nextLink'], t);
    console.log('next', n.status, JSON.stringify(n.body).slice(0, 300));
  } finally { await s.close(); }
});
