// Allowed operations (REST_AllowedOperations: "If an operation is disabled, it can't be performed using REST API even
// if the authenticated user has sufficient permissions"; REST_ChangePassword: "By default, password change via REST
// API is not allowed"), the configuration through the admin API, and the demo tenant's roles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED_OPERATIONS, OPERATION_TYPES } from '../../src/directory/adaxes-config.js';
import { DEMO_ADAXES_CONFIG } from '../../src/directory/adaxes-demo-config.js';
import { DEMO_PASSWORD } from '../../src/directory/demo-data.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { JOHN_DN, call, q, signIn } from './client.js';
import { LAB, Lab, PASSWORD, TRUSTEES, prop } from './roles-support.js';

describe.each(ENGINES)('Adaxes allowed operations and configuration (%s)', (engine) => {
  let s: TestServer;
  let lab: Lab;
  beforeAll(async () => {
    s = await startTestServer(engine);
    lab = new Lab(s.base, (await signIn(s.base)).token);
  });
  afterAll(async () => s?.close());

  it('the demo configuration is readable through the admin API, with password change off', async () => {
    const r = await call(s.base, 'GET', '/admin/adaxes/configuration');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(JSON.parse(JSON.stringify(DEMO_ADAXES_CONFIG)));
    expect(r.body.allowedOperations).not.toContain('ChangePassword');
    expect(r.body.allowedOperations).toContain('ResetPassword');
    expect(r.body.securityRoles.map((x: any) => x.name)).toEqual(['Domain User', 'User Self-Service', 'Administrators', 'Help Desk']);
  });

  it('password change is refused by default even for Full Control and for the own account, and works once enabled', async () => {
    const user = await lab.user(TRUSTEES, 'Changer');
    const token = await lab.tokenOf(user.upn);
    const change = (t: string, dn: string, oldPassword: string, newPassword: string) => lab.api('POST', '/api/directoryObjects/changePassword', { directoryObject: dn, oldPassword, newPassword }, t);

    const own = await change(token, user.dn, PASSWORD, 'Next!Pass1');
    expect(own.status).toBe(403);
    expect(own.body).toEqual({ message: expect.stringContaining("'ChangePassword' operation is disabled for REST API"), code: 'forbidden' });
    const admin = await change(lab.adminToken, user.dn, PASSWORD, 'Next!Pass1');
    expect(admin.status).toBe(403);
    // Nothing changed: the old password still signs in.
    expect((await call(s.base, 'POST', '/api/authSessions/create', { body: { username: user.upn, password: PASSWORD } })).status).toBe(200);

    await lab.configure({ ...DEMO_ADAXES_CONFIG, allowedOperations: [...DEFAULT_ALLOWED_OPERATIONS, 'ChangePassword'] });
    // The built-in User Self-Service role lets Self change the own password…
    const wrongOld = await change(token, user.dn, 'not-it', 'Next!Pass1');
    expect(wrongOld.body).toMatchObject({ resultType: 1, exception: { message: 'The specified network password is not correct.' } });
    expect((await change(token, user.dn, PASSWORD, 'Next!Pass1')).body.resultType).toBe(0);
    expect((await call(s.base, 'POST', '/api/authSessions/create', { body: { username: user.upn, password: 'Next!Pass1' } })).status).toBe(200);
    // …but not somebody else's.
    const other = await change(token, JOHN_DN, DEMO_PASSWORD, 'x');
    expect(other.status).toBe(403);
    expect(other.body.message).toMatch(/^Access is denied\./);
    await lab.configure(DEMO_ADAXES_CONFIG);
  });

  it('an operation switched off is refused for the administrator, before anything is changed', async () => {
    const target = await lab.user(LAB, 'Keep');
    await lab.configure({ ...DEMO_ADAXES_CONFIG, allowedOperations: DEFAULT_ALLOWED_OPERATIONS.filter((o) => o !== 'Delete' && o !== 'View') });
    const del = await lab.api('DELETE', `/api/directoryObjects${q({ directoryObject: target.dn })}`);
    expect(del.status).toBe(403);
    expect(del.body.message).toMatch(/'Delete' operation is disabled/);
    const read = await lab.api('GET', `/api/directoryObjects${q({ directoryObject: target.dn })}`);
    expect(read.status).toBe(403);
    const search = await lab.api('POST', '/api/directoryObjects/search', { baseObject: LAB });
    expect(search.status).toBe(403);
    // Edit is still allowed.
    expect((await lab.api('PATCH', '/api/directoryObjects', { directoryObject: target.dn, properties: [prop('department', 'Kept')] })).body.resultType).toBe(0);
    await lab.configure(DEMO_ADAXES_CONFIG);
    expect((await lab.read(target.dn, 'department')).body.properties.department).toEqual(['Kept']);
  });

  it('renaming needs the Rename operation as well as Edit', async () => {
    const target = await lab.user(LAB, 'Named');
    await lab.configure({ ...DEMO_ADAXES_CONFIG, allowedOperations: DEFAULT_ALLOWED_OPERATIONS.filter((o) => o !== 'Rename') });
    const r = await lab.api('PATCH', '/api/directoryObjects', { directoryObject: target.dn, properties: [prop('cn', 'Renamed Person')] });
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/'Rename'/);
    await lab.configure(DEMO_ADAXES_CONFIG);
    expect((await lab.read(target.dn)).status).toBe(200);
  });

  it('the admin API refuses malformed configurations with the field named, and keeps the stored one', async () => {
    const bad = [
      [{ allowedOperations: ['Teleport'] }, /'Teleport' is not an operation/],
      [{ securityRoles: [{ name: 'X', permissions: [{ access: 'allow', rights: ['fly'] }], assignments: [] }] }, /'fly' is not a right/],
      [{ securityRoles: [{ name: 'X', permissions: [{ access: 'maybe', rights: ['read'] }], assignments: [] }] }, /access must be 'allow' or 'deny'/],
      [{ securityRoles: [{ name: 'X', permissions: [{ access: 'allow', rights: ['writeProperty'] }], assignments: [] }] }, /writeProperty needs the properties/],
      [{ securityRoles: [{ name: 'X', permissions: [], assignments: [{ trustee: 'Self', scope: [{ type: 'container', dn: 'not a dn' }] }] }] }, /scope\[0\]\.dn must be a distinguished name/],
      [{ securityRoles: [{ name: 'X', permissions: [], assignments: [{ trustee: 'Self', scope: [] }] }] }, /scope must be a non-empty array/],
      [{ directorySync: { mode: 'sometimes' } }, /directorySync/],
      [{ surprise: true }, /'surprise' is not part of the Adaxes configuration/],
      [[], /must be a JSON object/],
    ] as const;
    for (const [body, message] of bad) {
      const r = await call(s.base, 'PUT', '/admin/adaxes/configuration', { body });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('invalidRequest');
      expect(r.body.error.message).toMatch(message);
    }
    expect((await call(s.base, 'GET', '/admin/adaxes/configuration')).body).toEqual(JSON.parse(JSON.stringify(DEMO_ADAXES_CONFIG)));
    // Parts left out take a fresh service's defaults.
    const partial = await call(s.base, 'PUT', '/admin/adaxes/configuration', { body: { allowedOperations: OPERATION_TYPES } });
    expect(partial.status).toBe(200);
    expect(partial.body.securityRoles.map((r: any) => r.name)).toEqual(['Domain User', 'User Self-Service']);
    expect(partial.body.directorySync).toEqual({ mode: 'immediate' });
    // Reset brings the demo configuration back.
    expect((await call(s.base, 'POST', '/admin/reset')).status).toBe(200);
    expect((await call(s.base, 'GET', '/admin/adaxes/configuration')).body).toEqual(JSON.parse(JSON.stringify(DEMO_ADAXES_CONFIG)));
  });

  it('the admin key guards the configuration endpoints', async () => {
    const guarded = await startTestServer(engine, { adminKey: 'sesame' });
    try {
      expect((await call(guarded.base, 'GET', '/admin/adaxes/configuration')).status).toBe(401);
      expect((await call(guarded.base, 'PUT', '/admin/adaxes/configuration', { body: {} })).status).toBe(401);
      expect((await call(guarded.base, 'POST', '/admin/adaxes/sync')).status).toBe(401);
      expect((await call(guarded.base, 'GET', '/admin/adaxes/configuration', { headers: { 'x-admin-key': 'sesame' } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
