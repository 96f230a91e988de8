// Every method the seed pages list (reference/seeds/002_*.txt, Device.ReadWrite.All; 003_*.txt, EduRoster.Read.All)
// sent through Microsoft's Kiota pipeline: @microsoft/msgraph-sdk's GraphRequestAdapter with
// @microsoft/kiota-authentication-azure (allowedHosts) over HTTPS. No service package exists for devices or
// education, so requests are built as RequestInformation on the core adapter, and typed where the core package has
// the models (createDeviceCollectionResponseFromDiscriminatorValue, …).
import { readdirSync, readFileSync } from 'node:fs';
import { HttpMethod, RequestInformation, type RequestAdapter } from '@microsoft/kiota-abstractions';
import { ClientSecretCredential, UsernamePasswordCredential } from '@azure/identity';
import { AzureIdentityAuthenticationProvider } from '@microsoft/kiota-authentication-azure';
import { GraphRequestAdapter, createGraphServiceClient } from '@microsoft/msgraph-sdk';
import { createDeviceCollectionResponseFromDiscriminatorValue, createDeviceFromDiscriminatorValue, createEducationClassCollectionResponseFromDiscriminatorValue, type Device, type DeviceCollectionResponse, type EducationClassCollectionResponse } from '@microsoft/msgraph-sdk/models/index.js';
import '@microsoft/msgraph-sdk-directoryobjects';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { DEMO_PASSWORD, DEMO_TENANT_ID, appClientId, appSecret } from '../../src/directory/demo-data.js';
import { DEVICE_ADMINS, demoDevices } from '../devices/helpers.js';
import { demoRoster } from '../education/helpers.js';

function seedMethods(prefix: string): [method: string, path: string][] {
  const dir = new URL('../../reference/seeds/', import.meta.url);
  const file = readdirSync(dir).find((f) => f.startsWith(prefix))!;
  return [...readFileSync(new URL(file, dir), 'utf8').matchAll(/^V1 A (GET|POST|PATCH) (\S+)$/gm)].map((m) => [m[1], m[2]]);
}

function adapterFor(s: TestServer, credential: ClientSecretCredential | UsernamePasswordCredential): GraphRequestAdapter {
  const adapter = new GraphRequestAdapter(new AzureIdentityAuthenticationProvider(credential, ['https://graph.microsoft.com/.default'], undefined, new Set(['localhost'])));
  adapter.baseUrl = `${s.httpsBase}/v1.0`;
  return adapter;
}

function request(adapter: RequestAdapter, method: HttpMethod, path: string): RequestInformation {
  const info = new RequestInformation(method, `{+baseurl}${path}`);
  info.pathParameters.baseurl = adapter.baseUrl;
  info.headers.tryAdd('Accept', 'application/json');
  return info;
}

async function rawJson(adapter: RequestAdapter, info: RequestInformation): Promise<any> {
  const bytes = await adapter.sendPrimitive<ArrayBuffer>(info, 'ArrayBuffer', undefined);
  return JSON.parse(Buffer.from(bytes!).toString('utf8'));
}

describe.each(ENGINES)('seed methods through the Kiota pipeline (%s)', (engine) => {
  let s: TestServer;
  let dm: GraphRequestAdapter;
  let device: { id: string; deviceId: string };

  beforeAll(async () => {
    s = await startTestServer(engine);
    const cred = (name: string) => new ClientSecretCredential(DEMO_TENANT_ID, appClientId(name), appSecret(name), { authorityHost: s.httpsBase, disableInstanceDiscovery: true });
    dm = adapterFor(s, cred('Device Manager'));
    const members = await graphFetch(`${s.graph}/groups/${DEVICE_ADMINS}/members/microsoft.graph.device?$select=id,deviceId`, await s.appToken('Tenant Admin'));
    device = members.body.value[0];
    expect((await demoDevices(s)).some((d) => d.id === device.id)).toBe(true);
  });
  afterAll(() => s.close());

  test('002 (Device.ReadWrite.All): every GET, typed where the models exist', async () => {
    const methods = seedMethods('002_').filter(([m]) => m === 'GET');
    expect(methods.length).toBe(13);
    for (const [, template] of methods) {
      const path = template.replace('{deviceId}', device.deviceId).replace(/\{(id|objectId)\}/, device.id);
      const body = await rawJson(dm, request(dm, HttpMethod.GET, path));
      expect(body['@odata.context'], path).toMatch(/\/v1\.0\/\$metadata#/);
    }
    const list = await dm.send<DeviceCollectionResponse>(request(dm, HttpMethod.GET, '/devices'), createDeviceCollectionResponseFromDiscriminatorValue, undefined);
    expect(list?.value?.length).toBe(36);
    expect(list?.value?.every((d) => typeof d.deviceId === 'string' && typeof d.accountEnabled === 'boolean')).toBe(true);
    const one = await dm.send<Device>(request(dm, HttpMethod.GET, `/devices(deviceId='${device.deviceId}')`), createDeviceFromDiscriminatorValue, undefined);
    expect(one?.id).toBe(device.id);
  });

  test('002: PATCH by both keys (204) and the directoryObject actions (msgraph-sdk-directoryobjects)', async () => {
    for (const path of [`/devices/${device.id}`, `/devices(deviceId='${device.deviceId}')`]) {
      const info = request(dm, HttpMethod.PATCH, path);
      info.headers.tryAdd('Content-Type', 'application/json');
      info.content = new TextEncoder().encode(JSON.stringify({ extensionAttributes: { extensionAttribute3: `kiota ${path.length}` } })).buffer as ArrayBuffer;
      await dm.sendNoResponseContent(info, undefined);
    }
    const read = await rawJson(dm, request(dm, HttpMethod.GET, `/devices/${device.id}?$select=extensionAttributes`));
    expect(read.extensionAttributes.extensionAttribute3).toBe(`kiota ${`/devices(deviceId='${device.deviceId}')`.length}`);
    const client = createGraphServiceClient(dm);
    const groups = await client.directoryObjects.byDirectoryObjectId(device.id).checkMemberGroups.post({ groupIds: [DEVICE_ADMINS] });
    expect(groups?.value).toEqual([DEVICE_ADMINS]);
    const objects = await client.directoryObjects.byDirectoryObjectId(device.id).getMemberObjects.post({ securityEnabledOnly: false });
    expect(objects?.value).toContain(DEVICE_ADMINS);
    const checked = await client.directoryObjects.byDirectoryObjectId(device.id).checkMemberObjects.post({ ids: [DEVICE_ADMINS] });
    expect(checked?.value).toEqual([DEVICE_ADMINS]);
    const memberGroups = await client.directoryObjects.byDirectoryObjectId(device.id).getMemberGroups.post({ securityEnabledOnly: true });
    expect(memberGroups?.value).toContain(DEVICE_ADMINS);
  });

  test('003 (EduRoster.Read.All): every GET, /education/me with a signed-in user', async () => {
    const demo = await demoRoster(s);
    const roster = adapterFor(s, new ClientSecretCredential(DEMO_TENANT_ID, appClientId('Roster Reader'), appSecret('Roster Reader'), { authorityHost: s.httpsBase, disableInstanceDiscovery: true }));
    const student = adapterFor(s, new UsernamePasswordCredential(DEMO_TENANT_ID, appClientId('Tenantbox Public Client'), demo.student.upn, DEMO_PASSWORD, { authorityHost: s.httpsBase, disableInstanceDiscovery: true }));
    const methods = seedMethods('003_').filter(([m]) => m === 'GET');
    expect(methods.length).toBe(30);
    for (const [, template] of methods) {
      const path = template
        .replace(/^\/education\/classes\/\{id\}/, `/education/classes/${demo.classId}`)
        .replace(/^\/education\/schools\/\{(id|educationSchoolId)\}/, `/education/schools/${demo.schoolId}`)
        .replace(/^\/education\/users\/\{(id|educationUserId)\}/, `/education/users/${demo.student.id}`)
        .replace(/\/delta$/, '/delta()');
      const adapter = path.startsWith('/education/me') ? student : roster;
      const body = await rawJson(adapter, request(adapter, HttpMethod.GET, path));
      expect(body['@odata.context'], path).toMatch(/\/v1\.0\/\$metadata#/);
    }
    const classes = await roster.send<EducationClassCollectionResponse>(request(roster, HttpMethod.GET, '/education/classes'), createEducationClassCollectionResponseFromDiscriminatorValue, undefined);
    expect(classes?.value?.map((c) => c.id)).toContain(demo.classId);
  });
});
