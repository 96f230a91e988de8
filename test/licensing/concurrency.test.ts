// Units are counted inside the serialised write, so concurrent assignments cannot oversell a subscription:
// 50 requests at once (half through Graph, half through Adaxes) for a SKU with exactly 10 units left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES } from '../support/stores.js';
import { SKUS } from '../../src/directory/demo-data.js';
import { call, license, properties, signIn } from '../adaxes/client.js';

const E3 = SKUS.find((s) => s.partNumber === 'ENTERPRISEPACK')!;

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
    let next: string | undefined = `${s.graph}/users?$select=id,userPrincipalName,usageLocation,assignedLicenses&$top=100`;
    while (next && candidates.length < 50) {
      const page: any = (await graphFetch(next, graphToken)).body;
      for (const u of page.value) if (u.usageLocation && !u.assignedLicenses.some((l: any) => l.skuId === E3.skuId)) candidates.push(u);
      next = page['@odata.nextLink'];
    }
    expect(candidates.length).toBeGreaterThanOrEqual(50);
    const chosen = candidates.slice(0, 50);

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
    expect(failures).toHaveLength(40);
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
});
