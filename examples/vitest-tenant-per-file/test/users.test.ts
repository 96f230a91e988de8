import { expect, test } from 'vitest';
import { ownTenant } from './tenant.js';

const tenant = await ownTenant();

test('renames a user; no other file sees it', async () => {
  const headers = { authorization: `Bearer ${await tenant.appToken()}`, 'content-type': 'application/json' };
  const patch = await fetch(`${tenant.graphUrl}/users/adele@fabrikam.example`, { method: 'PATCH', headers, body: JSON.stringify({ displayName: `Adele of ${tenant.id}` }) });
  expect(patch.status).toBe(204);
  const user = await (await fetch(`${tenant.graphUrl}/users/adele@fabrikam.example`, { headers })).json();
  expect(user.displayName).toBe(`Adele of ${tenant.id}`);
});
