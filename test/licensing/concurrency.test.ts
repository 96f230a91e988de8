// Units are counted inside the serialised write, so concurrent assignments cannot oversell a subscription:
// 50 requests at once (half through Graph, half through Adaxes) for a SKU with exactly 10 units left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { SKUS } from '../../src/directory/demo-data.js';
import { call, license, properties, signIn } from '../adaxes/client.js';

const E3 = SKUS.find((s) => s.partNumber === 'ENTERPRISEPACK')!;
const FLOW = SKUS.find((s) => s.partNumber === 'FLOW_FREE')!;

describe.each(ENGINES)('concurrent license assignment (%s)', (engine) => {
  let s: TestServer;
  let token: string;
  let graphToken: string;
  beforeAll(async () => {
    s = await startTestServer(engine);
    ({ token } = await signIn(s.base));
    graphToken = await s.appToken('Tenant Admin');
  });
  afterAll(async () => s?.close());

  it('50 concurrent assignments with 10 units left: exactly 10 succeed and consumedUnits = totalUnits', async () => {
    const sku = async () => (await graphFetch(`${s.graph}/subscribedSkus/${s.tb.dir.tenant.id}_${E3.skuId}`, graphToken)).body;
    const before = await sku();
    expect(before.prepaidUnits.enabled - before.consumedUnits).toBe(10);

    // Fifty users who could take the license: a usage location and no E3 yet.
    const candidates: { id: string; userPrincipalName: string }[] = [];
    let next: string | undefined = `${s.graph}/users?$select=id,userPrincipalName,usageLocation,assignedLicenses,onPremisesSyncEnabled&$top=100`;
    while (next) {
      const page: any = (await graphFetch(next, graphToken)).body;
      for (const u of page.value) if (u.usageLocation && !u.assignedLicenses.some((l: any) => l.skuId === E3.skuId)) candidates.push(u);
      next = page['@odata.nextLink'];
    }
    // Every other attempt goes through Adaxes, which manages Active Directory (synchronised) users only.
    const ad = candidates.filter((u: any) => u.onPremisesSyncEnabled);
    const cloud = candidates.filter((u: any) => !u.onPremisesSyncEnabled);
    expect(ad.length).toBeGreaterThanOrEqual(20);
    expect(cloud.length).toBeGreaterThanOrEqual(25);
    const chosen = Array.from({ length: 2 * Math.min(25, ad.length) }, (_, i) => (i % 2 ? ad[(i - 1) / 2] : cloud[i / 2]));

    const attempts = chosen.map(async (u, i) => {
      if (i % 2 === 0) {
        const r = await graphFetch(`${s.graph}/users/${u.id}/assignLicense`, graphToken, { method: 'POST', body: { addLicenses: [{ skuId: E3.skuId, disabledPlans: [] }], removeLicenses: [] } });
        return { ok: r.status === 200, message: r.body?.error?.message as string | undefined, status: r.status };
      }
      const r = await call(s.base, 'PATCH', '/api/directoryObjects', { token, body: { directoryObject: u.id, m365: { licenseModifications: [{ skuPartNumber: 'ENTERPRISEPACK', assigned: true }] } } });
      return { ok: r.status === 200 && r.body.resultType === 0, message: r.body?.exception?.message as string | undefined, status: r.status };
    });
    const results = await Promise.all(attempts);

    expect(results.filter((r) => r.ok)).toHaveLength(10);
    const failures = results.filter((r) => !r.ok);
    expect(failures).toHaveLength(chosen.length - 10);
    for (const f of failures) expect(f.message).toBe(`Subscription with SKU ${E3.skuId} does not have any available licenses.`);
    // Graph failures are HTTP 400; Adaxes failures are failed operations (200, resultType 1).
    for (const [i, r] of results.entries()) if (!r.ok) expect(r.status).toBe(i % 2 === 0 ? 400 : 200);

    const after = await sku();
    expect(after.consumedUnits).toBe(after.prepaidUnits.enabled);
    expect(after.consumedUnits).toBe(25);

    // Every success is a real assignment, and no failed attempt left one behind.
    const holders = await Promise.all(
      chosen.map(async (u) => ((await graphFetch(`${s.graph}/users/${u.id}/licenseDetails?$select=skuId`, graphToken)).body.value as any[]).some((d) => d.skuId === E3.skuId)),
    );
    expect(holders.filter(Boolean)).toHaveLength(10);
    expect(holders).toEqual(results.map((r) => r.ok));

    const adaxes = license((await properties(s.base, token, 'CN=John Smith,CN=Users,DC=example,DC=com')).body, 'ENTERPRISEPACK');
    expect(adaxes).toMatchObject({ consumedUnits: 25, totalUnits: 25 });
  });

  it('skus.consumed_units equals COUNT(*) of assignments after concurrent assignments, removals and deletions', async () => {
    const users: { id: string; usageLocation: string | null; assignedLicenses: { skuId: string }[] }[] = [];
    let next: string | undefined = `${s.graph}/users?$select=id,usageLocation,assignedLicenses,onPremisesSyncEnabled&$top=100`;
    while (next) {
      const page: any = (await graphFetch(next, graphToken)).body;
      users.push(...page.value);
      next = page['@odata.nextLink'];
    }
    const holds = (u: (typeof users)[number]) => u.assignedLicenses.some((l) => l.skuId === FLOW.skuId);
    // Adaxes manages Active Directory (synchronised) users only: the Adaxes half of each list is taken from those.
    const mixed = (pool: typeof users, n: number, adaxesAt: 0 | 1) => {
      const ad = pool.filter((u: any) => u.onPremisesSyncEnabled);
      const cloud = pool.filter((u: any) => !u.onPremisesSyncEnabled);
      return Array.from({ length: n }, (_, i) => (i % 2 === adaxesAt ? ad[i >> 1] : cloud[i >> 1])).filter(Boolean);
    };
    const holders = mixed(users.filter(holds), 12, 0);
    const takers = mixed(users.filter((u) => u.usageLocation && !holds(u)), 20, 1);
    const doomed = users.filter((u) => u.assignedLicenses.length && !holders.includes(u) && !takers.includes(u)).slice(0, 2);
    expect(holders.length).toBe(12);
    expect(takers.length).toBe(20);
    expect(doomed.length).toBe(2);

    const viaGraph = (id: string, add: boolean) =>
      graphFetch(`${s.graph}/users/${id}/assignLicense`, graphToken, {
        method: 'POST',
        body: add ? { addLicenses: [{ skuId: FLOW.skuId, disabledPlans: [] }], removeLicenses: [] } : { addLicenses: [], removeLicenses: [FLOW.skuId] },
      }).then((r) => r.status === 200);
    const viaAdaxes = (id: string, add: boolean) =>
      call(s.base, 'PATCH', '/api/directoryObjects', { token, body: { directoryObject: id, m365: { licenseModifications: [{ skuPartNumber: FLOW.partNumber, assigned: add }] } } }).then(
        (r) => r.status === 200 && r.body.resultType === 0,
      );
    const removeUser = (id: string) => s.tb.dir.write(async (w) => w.delete((await w.load(id))!)).then(() => true);
    const results = await Promise.all([
      ...holders.map((u, i) => (i % 2 ? viaGraph(u.id, false) : viaAdaxes(u.id, false))),
      ...takers.map((u, i) => (i % 2 ? viaAdaxes(u.id, true) : viaGraph(u.id, true))),
      ...doomed.map((u) => removeUser(u.id)),
    ]);
    expect(results.every(Boolean)).toBe(true);

    const db = s.tb.dir.db;
    const counted = new Map(
      (await db.selectFrom('license_assignments').select((eb) => ['sku_id', eb.fn.countAll().as('n')]).groupBy('sku_id').execute()).map((r) => [r.sku_id, Number(r.n)]),
    );
    const skus = await db.selectFrom('skus').select(['sku_id', 'consumed_units']).execute();
    expect(skus.length).toBeGreaterThan(0);
    for (const sku of skus) expect({ sku: sku.sku_id, units: Number(sku.consumed_units) }).toEqual({ sku: sku.sku_id, units: counted.get(sku.sku_id) ?? 0 });
    const flow = (await graphFetch(`${s.graph}/subscribedSkus/${s.tb.dir.tenant.id}_${FLOW.skuId}`, graphToken)).body;
    expect(flow.consumedUnits).toBe(counted.get(FLOW.skuId));
  });
});
