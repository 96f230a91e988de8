// One license state behind two faces: what Adaxes assigns Graph reports, and the reverse; the seed-001 rules for
// enabled and disabled services; all-or-nothing modifications; Graph's license errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { SKUS } from '../../src/directory/demo-data.js';
import { call, license, properties, serviceStates, signIn } from '../adaxes/client.js';

const sku = (part: string) => SKUS.find((s) => s.partNumber === part)!;
const planId = (part: string, name: string) => sku(part).plans.find((p) => p.name === name)!.id;
const BP = 'O365_BUSINESS_PREMIUM';

describe.each(ENGINES)('licenses across Adaxes and Graph (%s)', (engine) => {
  let s: TestServer;
  let token: string;
  let graphToken: string;
  const dnOf = async (upn: string) => (await s.tb.dir.user(upn))!.dn!;
  const modify = async (dn: string, m365: unknown) => call(s.base, 'PATCH', '/api/directoryObjects', { token, body: { directoryObject: dn, m365 } });
  const graph = (path: string, init?: Parameters<typeof graphFetch>[2]) => graphFetch(`${s.graph}${path}`, graphToken, init);
  const consumed = async (part: string) => (await graph(`/subscribedSkus`)).body.value.find((x: any) => x.skuPartNumber === part).consumedUnits as number;

  beforeAll(async () => {
    s = await startTestServer(engine);
    ({ token } = await signIn(s.base));
    graphToken = await s.appToken('Tenant Admin');
  });
  afterAll(async () => s?.close());

  it('Adaxes assigns → Graph licenseDetails, assignedLicenses and subscribedSkus agree', async () => {
    const upn = 'emily.braun@example.com';
    const before = await consumed('ENTERPRISEPREMIUM');
    const r = await modify(await dnOf(upn), { locationName: 'DE', licenseModifications: [{ skuPartNumber: 'ENTERPRISEPREMIUM', assigned: true, disabledServices: ['MCOSTANDARD'] }] });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ resultType: 0, innerMessages: [], exception: null, actualObjectDN: await dnOf(upn), extraInfo: {} });

    const details = await graph(`/users/${upn}/licenseDetails`);
    expect(details.status).toBe(200);
    expect(details.body['@odata.context']).toMatch(/\$metadata#users\('[0-9a-f-]{36}'\)\/licenseDetails$/);
    const e5 = details.body.value.find((d: any) => d.skuPartNumber === 'ENTERPRISEPREMIUM');
    expect(e5.skuId).toBe(sku('ENTERPRISEPREMIUM').skuId);
    expect(Object.fromEntries(e5.servicePlans.map((p: any) => [p.servicePlanName, p.provisioningStatus]))).toMatchObject({ MCOSTANDARD: 'Disabled', SHAREPOINTENTERPRISE: 'Success' });

    const user = await graph(`/users/${upn}?$select=assignedLicenses,usageLocation`);
    expect(user.body.usageLocation).toBe('DE');
    expect(user.body.assignedLicenses).toContainEqual({ skuId: sku('ENTERPRISEPREMIUM').skuId, disabledPlans: [planId('ENTERPRISEPREMIUM', 'MCOSTANDARD')] });
    expect(await consumed('ENTERPRISEPREMIUM')).toBe(before + 1);

    const skuEntity = await graph(`/subscribedSkus/${s.tb.dir.tenant.id}_${sku('ENTERPRISEPREMIUM').skuId}?$select=consumedUnits,prepaidUnits`);
    expect(skuEntity.body).toMatchObject({ consumedUnits: before + 1, prepaidUnits: { enabled: 100, lockedOut: 0, suspended: 0, warning: 0 } });
    expect(Object.keys(skuEntity.body).sort()).toEqual(['@odata.context', 'consumedUnits', 'prepaidUnits']);

    // Revoking through Adaxes frees the unit again.
    await modify(await dnOf(upn), { licenseModifications: [{ skuPartNumber: 'ENTERPRISEPREMIUM', assigned: false }] });
    expect(await consumed('ENTERPRISEPREMIUM')).toBe(before);
    expect((await graph(`/users/${upn}/licenseDetails`)).body.value.some((d: any) => d.skuPartNumber === 'ENTERPRISEPREMIUM')).toBe(false);
  });

  it('Graph assignLicense → Adaxes properties show the license, its services and the count', async () => {
    const upn = 'allan.deyoung@example.com';
    const adaxesBefore = license((await properties(s.base, token, await dnOf(upn))).body, 'FLOW_FREE');
    const res = await graph(`/users/${upn}/assignLicense`, {
      method: 'POST',
      body: { addLicenses: [{ skuId: sku(BP).skuId, disabledPlans: [planId(BP, 'TEAMS1')] }], removeLicenses: [] },
    });
    expect(res.status).toBe(200);
    expect(res.body['@odata.context']).toMatch(/\$metadata#users\/\$entity$/);
    expect(res.body.userPrincipalName).toBe(upn);
    expect(res.body.assignedLicenses).toContainEqual({ skuId: sku(BP).skuId, disabledPlans: [planId(BP, 'TEAMS1')] });

    const props = (await properties(s.base, token, await dnOf(upn))).body;
    expect(license(props, BP).assigned).toBe(true);
    expect(serviceStates(props, BP)).toMatchObject({ TEAMS1: false, EXCHANGEENTERPRISE: true, EXCHANGE_S_FOUNDATION: true });
    expect(license(props, BP).consumedUnits).toBe(await consumed(BP));

    const plans = (await graph(`/users/${upn}?$select=assignedPlans`)).body.assignedPlans as any[];
    expect(plans.find((p) => p.service === 'TEAMS1' && p.servicePlanId === planId(BP, 'TEAMS1')).capabilityStatus).toBe('Deleted');

    // Removing through Graph shows in Adaxes too.
    const removed = await graph(`/users/${upn}/assignLicense`, { method: 'POST', body: { addLicenses: [], removeLicenses: [sku(BP).skuId] } });
    expect(removed.status).toBe(200);
    expect(license((await properties(s.base, token, await dnOf(upn))).body, BP).assigned).toBe(false);
    expect(license((await properties(s.base, token, await dnOf(upn))).body, 'FLOW_FREE').consumedUnits).toBe(adaxesBefore.consumedUnits);
  });

  it('seed 001: disabledServices are ignored when enabledServices are given for a NEW license', async () => {
    const dn = await dnOf('irvin.sayers@example.com');
    const r = await modify(dn, { licenseModifications: [{ skuPartNumber: BP, assigned: true, enabledServices: ['CDS_O365_P3', 'FLOW_O365_P3'], disabledServices: ['CDS_O365_P3'] }] });
    expect(r.body.resultType).toBe(0);
    expect(serviceStates((await properties(s.base, token, dn)).body, BP)).toEqual({
      CDS_O365_P3: true,
      FLOW_O365_P3: true,
      EXCHANGEENTERPRISE: false,
      TEAMS1: false,
      OFFICESUBSCRIPTION: false,
      EXCHANGE_S_FOUNDATION: true, // auto-assigned with the license
    });
  });

  it('seed 001: on an assigned license enabledServices win over disabledServices for the same plan', async () => {
    const dn = await dnOf('irvin.sayers@example.com');
    const r = await modify(dn, { licenseModifications: [{ skuPartNumber: BP, assigned: true, enabledServices: ['EXCHANGEENTERPRISE'], disabledServices: ['EXCHANGEENTERPRISE', 'FLOW_O365_P3'] }] });
    expect(r.body.resultType).toBe(0);
    expect(serviceStates((await properties(s.base, token, dn)).body, BP)).toEqual({
      CDS_O365_P3: true,
      FLOW_O365_P3: false,
      EXCHANGEENTERPRISE: true,
      TEAMS1: false,
      OFFICESUBSCRIPTION: false,
      EXCHANGE_S_FOUNDATION: true,
    });
    const details = (await graph(`/users/irvin.sayers@example.com/licenseDetails`)).body.value.find((d: any) => d.skuPartNumber === BP);
    expect(details.servicePlans.filter((p: any) => p.provisioningStatus === 'Disabled').map((p: any) => p.servicePlanName).sort()).toEqual(['FLOW_O365_P3', 'OFFICESUBSCRIPTION', 'TEAMS1']);
  });

  it('seed 001: an auto-assignable service cannot be disabled without revoking the license', async () => {
    const dn = await dnOf('irvin.sayers@example.com');
    const before = (await properties(s.base, token, dn)).body;
    const r = await modify(dn, { licenseModifications: [{ skuPartNumber: BP, assigned: true, disabledServices: ['EXCHANGE_S_FOUNDATION', 'CDS_O365_P3'] }] });
    expect(r.status).toBe(200);
    expect(r.body.resultType).toBe(1);
    expect(r.body.exception.message).toMatch(/EXCHANGE_S_FOUNDATION.*cannot be disabled without revoking the license/);
    expect((await properties(s.base, token, dn)).body).toEqual(before);
    // Revoking the whole license is allowed.
    expect((await modify(dn, { licenseModifications: [{ skuPartNumber: BP, assigned: false }] })).body.resultType).toBe(0);
    expect(license((await properties(s.base, token, dn)).body, BP).assigned).toBe(false);
  });

  it('a multi-license modification that fails in its last change changes nothing at all', async () => {
    const upn = 'nestor.wilke@example.com'; // an Active Directory user: the Adaxes face manages AD users only
    const dn = await dnOf(upn);
    const graphBefore = await graph(`/users/${upn}?$select=assignedLicenses,usageLocation,accountEnabled`);
    const skusBefore = (await graph('/subscribedSkus?$select=skuPartNumber,consumedUnits')).body.value;
    const r = await modify(dn, {
      locationName: 'AU',
      signInBlocked: true,
      licenseModifications: [
        { skuPartNumber: 'FLOW_FREE', assigned: true },
        { skuPartNumber: BP, assigned: true },
        { skuPartNumber: 'ENTERPRISEPREMIUM', assigned: true, disabledServices: ['EXCHANGE_S_FOUNDATION'] },
      ],
    });
    expect(r.body.resultType).toBe(1);
    expect((await graph(`/users/${upn}?$select=assignedLicenses,usageLocation,accountEnabled`)).body).toEqual(graphBefore.body);
    expect((await graph('/subscribedSkus?$select=skuPartNumber,consumedUnits')).body.value).toEqual(skusBefore);

    const unknown = await modify(dn, { licenseModifications: [{ skuPartNumber: 'FLOW_FREE', assigned: true }, { skuPartNumber: 'NO_SUCH_SKU', assigned: true }] });
    expect(unknown.body.resultType).toBe(1);
    expect(unknown.body.exception.message).toMatch(/NO_SUCH_SKU/);
    expect(license((await properties(s.base, token, dn)).body, 'FLOW_FREE').assigned).toBe(false);
  });

  it('assigning needs a usage location, on both faces, and fails without any change', async () => {
    const upn = 'lidia.holloway@example.com'; // the demo leaves this user without usageLocation
    const dn = await dnOf(upn);
    const flowBefore = await consumed('FLOW_FREE');
    const viaAdaxes = await modify(dn, { licenseModifications: [{ skuPartNumber: 'FLOW_FREE', assigned: true }] });
    expect(viaAdaxes.body).toMatchObject({ resultType: 1, exception: { message: 'License assignment cannot be done for user with invalid usage location.' } });
    const viaGraph = await graph(`/users/${upn}/assignLicense`, { method: 'POST', body: { addLicenses: [{ skuId: sku('FLOW_FREE').skuId }], removeLicenses: [] } });
    expect(viaGraph.status).toBe(400);
    expect(viaGraph.body.error).toMatchObject({ code: 'Request_BadRequest', message: 'License assignment cannot be done for user with invalid usage location.' });
    expect(await consumed('FLOW_FREE')).toBe(flowBefore);
    // Setting the location in the same modification makes it work.
    expect((await modify(dn, { locationName: 'ca', licenseModifications: [{ skuPartNumber: 'FLOW_FREE', assigned: true }] })).body.resultType).toBe(0);
    expect((await properties(s.base, token, dn)).body.locationName).toBe('CA');
    expect(await consumed('FLOW_FREE')).toBe(flowBefore + 1);
  });

  it('Graph rejects malformed assignLicense bodies and unknown ids with 400 Request_BadRequest', async () => {
    const upn = 'debra.berry@example.com';
    const missing = await graph(`/users/${upn}/assignLicense`, { method: 'POST', body: { addLicenses: [] } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('Request_BadRequest');
    expect(missing.body.error.message).toMatch(/removeLicenses/);
    const unknownSku = await graph(`/users/${upn}/assignLicense`, { method: 'POST', body: { addLicenses: [{ skuId: '00000000-0000-0000-0000-000000000001' }], removeLicenses: [] } });
    expect(unknownSku.status).toBe(400);
    const unknownPlan = await graph(`/users/${upn}/assignLicense`, {
      method: 'POST',
      body: { addLicenses: [{ skuId: sku('FLOW_FREE').skuId, disabledPlans: ['00000000-0000-0000-0000-000000000002'] }], removeLicenses: [] },
    });
    expect(unknownPlan.status).toBe(400);
    expect((await graph(`/users/${upn}/licenseDetails`)).body.value.some((d: any) => d.skuPartNumber === 'FLOW_FREE')).toBe(false);
    const noUser = await graph(`/users/nobody@example.com/assignLicense`, { method: 'POST', body: { addLicenses: [], removeLicenses: [] } });
    expect(noUser.status).toBe(404);
    const filter = await graph(`/subscribedSkus?$filter=skuPartNumber eq 'SPE_E5'`);
    expect(filter.status).toBe(400);
  });
});
