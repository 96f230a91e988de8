// Shared fixtures for the device tests: the demo tenant's devices by index, well-known group ids, Graph error checks.
import { expect } from 'vitest';
import { nameGuid } from '../../src/directory/ids.js';
import { appClientId, DELEGATED_SCOPES } from '../../src/directory/demo-data.js';
import { setAppPermissions } from '../../src/directory/apps.js';
import { graphFetch, type TestServer } from '../support/server.js';

/** Ids the demo tenant derives from names (src/directory/demo-tenant.ts). */
export const groupId = (name: string) => nameGuid(`group:${name}`);
export const unitId = (name: string) => nameGuid(`administrativeUnit:${name}`);
export const NESTED = Array.from({ length: 10 }, (_, i) => groupId(`Nested Level ${i + 1}`));
export const DEVICE_ADMINS = groupId('Device Administrators');
export const LONDON = unitId('London Office');
export const MISSING = '11111111-2222-3333-4444-555555555555';

export interface DemoDevice {
  id: string;
  deviceId: string;
  displayName: string;
  operatingSystem: string;
  [k: string]: unknown;
}

/** The 36 demo devices, indexed as the demo tenant builds them (display names end in -01 … -36). */
export async function demoDevices(s: TestServer): Promise<DemoDevice[]> {
  const r = await graphFetch(`${s.graph}/devices?$top=999`, await s.appToken('Tenant Admin'));
  const all = r.body.value as DemoDevice[];
  return all.filter((d) => /-\d\d$/.test(d.displayName)).sort((a, b) => Number(a.displayName.slice(-2)) - Number(b.displayName.slice(-2)));
}

export function expectGraphError(r: { status: number; body: any }, status: number, code: string, message?: string | RegExp) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(Object.keys(r.body)).toEqual(['error']);
  expect(r.body.error.code).toBe(code);
  expect(typeof r.body.error.message).toBe('string');
  if (typeof message === 'string') expect(r.body.error.message).toBe(message);
  else if (message) expect(r.body.error.message).toMatch(message);
  expect(r.body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  expect(r.body.error.innerError['request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(r.body.error.innerError['client-request-id']).toBeTruthy();
}

export const notFoundMessage = (id: string) => `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`;

/**
 * A signed-in user's token carrying Directory.AccessAsUser.All, the only permission the data grants for device
 * creation and deletion. The demo public client is allowed to request it on this server only. The user is the demo
 * Global Administrator: device-update.md and device-delete.md require "Global Administrator, Intune Administrator"
 * (accountEnabled: Global or Cloud Device Administrator) of a delegated caller, so a user without a role is refused.
 */
export async function deviceAdminUserToken(s: TestServer): Promise<string> {
  await setAppPermissions(s.tb.store, appClientId('Tenantbox Public Client'), { scopes: [...DELEGATED_SCOPES, 'Directory.AccessAsUser.All'] });
  return s.userToken('adele.vance@example.com');
}

export const ctxUrl = (s: TestServer, fragment: string) => `${s.base}/v1.0/$metadata#${fragment}`;
