// The licence catalogue against its source, Microsoft's "Product names and service plan identifiers for
// licensing" (reference/graph-docs/entra-docs/docs/identity/users/licensing-service-plan-reference.md): every SKU's
// plans are the GUIDs its row names, one plan has one GUID and one name everywhere, the source's known
// irregularities (reference/graph-docs/README.md) are read as intended, and the generator reproduces the file.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogPlan, catalogSku, catalogSkus } from '../../src/directory/license-catalog.js';
import { SCALE_SKU } from '../../src/directory/generate-licenses.js';

const ROOT = join(import.meta.dirname, '../..');
const hexOnly = (s: string) => s.toLowerCase().replace(/[^0-9a-f]/g, '');
const SOURCE = readFileSync(join(ROOT, 'reference/graph-docs/entra-docs/docs/identity/users/licensing-service-plan-reference.md'), 'utf8');
const rowOf = (skuId: string) => SOURCE.split('\n').find((l) => l.startsWith('|') && hexOnly(l.split('|')[3] ?? '') === hexOnly(skuId))!;
const planIds = (partOrId: string) => {
  const hit = catalogSku(partOrId);
  if (!('sku' in hit)) throw new Error(`no SKU ${partOrId}`);
  return hit.sku.plans;
};

describe('licence catalogue', () => {
  it("lists, for every SKU, exactly plans its row of the reference names", () => {
    expect(catalogSkus().length).toBeGreaterThan(500);
    for (const sku of catalogSkus()) {
      const row = hexOnly(rowOf(sku.skuId));
      for (const id of sku.plans) expect(row, `${sku.partNumber} ${id}`).toContain(hexOnly(id));
    }
  });

  it('gives each plan one GUID and one string id in every SKU', () => {
    const named = new Map<string, string>();
    for (const sku of catalogSkus())
      for (const id of sku.plans) {
        const p = catalogPlan(id)!;
        expect(p.servicePlanId).toBe(id);
        const first = named.get(p.servicePlanName);
        if (first) expect(first, p.servicePlanName).toBe(id);
        else named.set(p.servicePlanName, id);
      }
    // Microsoft 365 E5 (SPE_E5) and Office 365 E3 (ENTERPRISEPACK) share Exchange Online (Plan 2) and Teams.
    for (const id of ['efb87545-963c-4e0d-99df-69c6916d9eb0', '57ff2da0-773e-42df-b2af-ffb7a2317929']) {
      expect(planIds('SPE_E5')).toContain(id);
      expect(planIds('ENTERPRISEPACK')).toContain(id);
    }
    expect(catalogPlan('41781fb2-bc02-4b7c-bd55-b576c07bb09d')).toEqual({ servicePlanId: '41781fb2-bc02-4b7c-bd55-b576c07bb09d', servicePlanName: 'AAD_PREMIUM', displayName: 'Microsoft Entra ID P1' });
  });

  it("reads the source's known irregularities as intended", () => {
    // Microsoft 365 F3 GCC: INTUNE_O365 written "882e1d05-acd1-4ccb-8708- 6ee03664b117".
    expect(planIds('M365_F1_GOV')).toContain('882e1d05-acd1-4ccb-8708-6ee03664b117');
    // Power BI Premium EM2: Exchange Foundation written "113feb6c-3fe4-4440-bddc 54d774bf0318".
    expect(planIds('PBI_PREMIUM_EM2_ADDON')).toContain('113feb6c-3fe4-4440-bddc-54d774bf0318');
    // Microsoft 365 E5 EEA (no Teams) without Audio Conferencing: Purview Discovery only among the friendly names.
    expect(planIds('Microsoft_365_E5_EEA_(no_Teams)_without_Audio_Conferencing')).toContain('c948ea65-2053-4a5a-8a62-9eaaaf11b522');
    // Microsoft Copilot for Microsoft 365: the string-ID column's 931e4a88-… decides, not the friendly column's 3227bcb2-….
    expect(planIds('M365_Copilot')).toContain('931e4a88-a67f-48b5-814f-16a5f1e6028d');
    expect(planIds('M365_Copilot')).not.toContain('3227bcb2-8448-4f81-b3c2-8c2074e15a2a');
    // A part number that names two SKUs is not resolved by guessing.
    expect(catalogSku('MCOPSTN5')).toMatchObject({ error: 'ambiguous' });
  });

  it("gives the generator's scale SKU real plans", () => {
    for (const p of SCALE_SKU.plans) expect(catalogPlan(p.servicePlanId)?.servicePlanName).toBe(p.servicePlanName);
  });

  it('is what scripts/generate-license-catalog.ts writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenantbox-catalog-'));
    try {
      const out = join(dir, 'catalog.json');
      execFileSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'scripts/generate-license-catalog.ts'), out], { cwd: ROOT });
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(ROOT, 'src/directory/license-catalog.generated.json'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
