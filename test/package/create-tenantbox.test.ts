// createTenantbox, the in-process API, against a real server on both engines: the URLs and certificate it reports are
// the ones served, and its helpers give working options to @azure/identity (ClientSecretCredential,
// UsernamePasswordCredential) and @microsoft/microsoft-graph-client.
import { ClientSecretCredential, UsernamePasswordCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import { AzureIdentityAuthenticationProvider } from '@microsoft/kiota-authentication-azure';
import { GraphRequestAdapter, createGraphServiceClient } from '@microsoft/msgraph-sdk';
import '@microsoft/msgraph-sdk-users';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTenantbox, GRAPH_SCOPE, type RunningTenantbox } from '../../src/index.js';
import { DEMO_TENANT_ID, appClientId } from '../../src/directory/demo-data.js';
import { ENGINES, freshLocation, type EngineName } from '../support/stores.js';

function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      const fp = new X509Certificate(socket.getPeerCertificate(true).raw).fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.on('error', reject);
  });
}

describe.each(ENGINES)('createTenantbox (%s)', (engine: EngineName) => {
  let tb: RunningTenantbox;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const loc = await freshLocation(engine);
    cleanup = loc.cleanup;
    // SQLite: the default, in memory. PostgreSQL: every server option is available, here the database and schema.
    tb = await createTenantbox(engine === 'postgres' ? { database: loc.location, pgSchema: loc.pgSchema, logLevel: 'silent' } : { logLevel: 'silent' });
  });
  afterAll(async () => {
    await tb?.close();
    await cleanup?.();
  });

  test('reports the URLs, ports, tenant and certificate it serves', async () => {
    expect(tb.port).toBeGreaterThan(0);
    expect(tb.httpsPort).toBeGreaterThan(0);
    expect(tb.graphUrl).toBe(`https://localhost:${tb.httpsPort}/v1.0`);
    expect(tb.graphHttpUrl).toBe(`http://localhost:${tb.port}/v1.0`);
    expect(tb.authorityHost).toBe(`https://localhost:${tb.httpsPort}`);
    expect(tb.tokenUrl).toBe(`${tb.authorityHost}/${DEMO_TENANT_ID}/oauth2/v2.0/token`);
    expect(tb.adaxesUrl).toBe(`http://localhost:${tb.port}/api`);
    expect(tb.tenantId).toBe(DEMO_TENANT_ID);
    expect(new X509Certificate(tb.caCertificate).fingerprint256).toBe(await servedFingerprint(tb.httpsPort));
    expect(tb.credentials.graph.apps.find((a) => a.name === 'Device Manager')?.clientId).toBe(appClientId('Device Manager'));
    const health = await fetch(`${tb.httpUrl.replace('localhost', '127.0.0.1')}/health`);
    expect(health.status).toBe(200);
  });

  test('identityOptions() makes a ClientSecretCredential that gets a Graph token from it', async () => {
    const o = tb.identityOptions('Device Manager');
    const credential = new ClientSecretCredential(o.tenantId, o.clientId, o.clientSecret, o.options);
    const { token } = (await credential.getToken(GRAPH_SCOPE))!;
    const claims = decodeJwt(token);
    expect(claims.appid).toBe(appClientId('Device Manager'));
    expect(claims.roles).toEqual(['Device.ReadWrite.All']);
    expect(claims.iss).toBe(`https://sts.windows.net/${DEMO_TENANT_ID}/`);
  });

  test('graphClientOptions() configure the Graph SDK client, authenticated through @azure/identity', async () => {
    const o = tb.identityOptions();
    const authProvider = new TokenCredentialAuthenticationProvider(new ClientSecretCredential(o.tenantId, o.clientId, o.clientSecret, o.options), { scopes: [GRAPH_SCOPE] });
    const client = Client.initWithMiddleware({ authProvider, ...tb.graphClientOptions() });
    const me = await client.api('/users').filter("userPrincipalName eq 'john.smith@example.com'").select('id,userPrincipalName').get();
    expect(me.value).toHaveLength(1);
    expect(me.value[0].userPrincipalName).toBe('john.smith@example.com');
  });

  test('kiotaOptions() configure @microsoft/msgraph-sdk (Kiota request adapter, AzureIdentityAuthenticationProvider)', async () => {
    const o = tb.identityOptions('Directory Reader');
    const k = tb.kiotaOptions();
    const auth = new AzureIdentityAuthenticationProvider(new ClientSecretCredential(o.tenantId, o.clientId, o.clientSecret, o.options), k.scopes, undefined, k.allowedHosts);
    const adapter = new GraphRequestAdapter(auth);
    adapter.baseUrl = k.baseUrl;
    const users = await createGraphServiceClient(adapter).users.get({ queryParameters: { top: 2, select: ['id', 'userPrincipalName'] } });
    expect(users?.value).toHaveLength(2);
    expect(users?.value?.[0].userPrincipalName).toMatch(/@example\.com$/);
  });

  test('appToken takes an app name or a permission one of the demo apps holds', async () => {
    expect(decodeJwt(await tb.appToken('Roster Reader')).roles).toEqual(['EduRoster.Read.All']);
    // The app with the fewest roles that holds the permission: Device Manager rather than Tenant Admin.
    expect(decodeJwt(await tb.appToken('Device.ReadWrite.All')).appid).toBe(appClientId('Device Manager'));
    await expect(tb.appToken('Mail.Send')).rejects.toThrow(/neither a demo app nor an application permission/);
    await expect(tb.appToken('Tenantbox Public Client')).rejects.toThrow(/public client/);
  });

  test('userToken signs a demo user in with the scopes asked for, like UsernamePasswordCredential does', async () => {
    const token = await tb.userToken('john.smith', ['User.Read', 'Device.Read.All']);
    const claims = decodeJwt(token);
    expect(claims.upn).toBe('john.smith@example.com');
    expect(String(claims.scp).split(' ').sort()).toEqual(['Device.Read.All', 'User.Read']);
    const me = await fetch(`${tb.graphHttpUrl.replace('localhost', '127.0.0.1')}/me?$select=userPrincipalName`, { headers: { authorization: `Bearer ${token}` } });
    expect((await me.json()).userPrincipalName).toBe('john.smith@example.com');
    const ropc = new UsernamePasswordCredential(tb.tenantId, tb.credentials.graph.apps.find((a) => a.clientSecret === null)!.clientId, 'adele.vance@example.com', tb.password, tb.identityOptions().options);
    await expect(ropc.getToken('https://graph.microsoft.com/User.Read')).resolves.toMatchObject({ token: expect.any(String) });
  });

  test('reset() removes what was written since the start', async () => {
    const token = await tb.appToken('Tenant Admin');
    const users = `${tb.graphHttpUrl.replace('localhost', '127.0.0.1')}/users`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(users, {
      method: 'POST',
      headers,
      body: JSON.stringify({ accountEnabled: true, displayName: 'Reset Me', mailNickname: 'reset.me', userPrincipalName: 'reset.me@example.com', passwordProfile: { password: 'Xy!23456789a' } }),
    });
    expect(created.status).toBe(201);
    const { id } = await created.json();
    await tb.reset();
    expect((await fetch(`${users}/${id}`, { headers: { authorization: `Bearer ${await tb.appToken('Tenant Admin')}` } })).status).toBe(404);
    expect((await fetch(`${users}?$filter=userPrincipalName eq 'john.smith@example.com'`, { headers: { authorization: `Bearer ${await tb.appToken('Tenant Admin')}` } })).status).toBe(200);
  });
});

test('close() frees the ports', async () => {
  const tb = await createTenantbox({ logLevel: 'silent', runtimeFile: false });
  const url = `${tb.httpUrl.replace('localhost', '127.0.0.1')}/health`;
  expect((await fetch(url)).status).toBe(200);
  await tb.close();
  await expect(fetch(url)).rejects.toThrow();
});
