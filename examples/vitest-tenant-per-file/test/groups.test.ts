import { beforeEach, expect, test } from 'vitest';
import { ownTenant } from './tenant.js';

const tenant = await ownTenant();
const graph = async (path: string, init: RequestInit = {}) =>
  fetch(`${tenant.graphUrl}${path}`, { ...init, headers: { authorization: `Bearer ${await tenant.appToken()}`, 'content-type': 'application/json' } });

beforeEach(() => tenant.reset()); // back to the fixture before every test, in milliseconds

test('adds a group only this file sees', async () => {
  const res = await graph('/groups', { method: 'POST', body: JSON.stringify({ displayName: 'Temp', mailEnabled: false, mailNickname: 'temp', securityEnabled: true }) });
  expect(res.status).toBe(201);
  const names = (await (await graph('/groups?$select=displayName')).json()).value.map((g: { displayName: string }) => g.displayName);
  expect(names.sort()).toEqual(['Sales', 'Temp']);
});

test('starts again from the fixture', async () => {
  const names = (await (await graph('/groups?$select=displayName')).json()).value.map((g: { displayName: string }) => g.displayName);
  expect(names).toEqual(['Sales']);
});
