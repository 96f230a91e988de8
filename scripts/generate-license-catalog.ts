// Builds src/directory/license-catalog.generated.json from Microsoft's "Product names and service plan identifiers
// for licensing" (reference/graph-docs/entra-docs/docs/identity/users/licensing-service-plan-reference.md).
//
// The page is one Markdown table: product name | string ID | GUID | service plans (string ID (GUID)) | service
// plans (friendly name (GUID)). The catalogue keeps each service plan once, keyed by its GUID, so one plan has one
// GUID in every SKU that contains it, and each SKU lists its plans by GUID.
//
// The source has known irregularities (reference/graph-docs/README.md), handled here rather than patched by hand:
// - GUIDs with a space inside or in place of a hyphen: a GUID is read as its 32 hexadecimal digits;
// - tabs and spaces around the pipes: cells are trimmed;
// - a plan named only in the friendly-name column (Purview Discovery in "Microsoft 365 E5 EEA (no Teams) without
//   Audio Conferencing"): kept when another SKU names that GUID with its string ID;
// - a friendly-name GUID that differs from the string-ID column's (Microsoft Copilot for Microsoft 365): the
//   string-ID column decides which plans a SKU has; friendly names are matched by GUID, else by position;
// - a friendly name without a GUID (Power BI Premium EM1): matched by position.
//
// Run: npx tsx scripts/generate-license-catalog.ts [output file]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(repoRoot, 'reference/graph-docs/entra-docs/docs/identity/users/licensing-service-plan-reference.md');
const outFile = process.argv[2] ? resolve(process.argv[2]) : join(repoRoot, 'src/directory/license-catalog.generated.json');

/** A GUID as its 32 hex digits in the canonical 8-4-4-4-12 form, or undefined. */
function guidOf(raw: string): string | undefined {
  const hex = raw.replace(/[^0-9a-fA-F]/g, '');
  if (hex.length !== 32 || !/^[\s0-9a-fA-F-]+$/.test(raw)) return undefined;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

interface Item {
  name: string;
  guid: string | undefined;
}

/** `NAME (guid)<br/>NAME (guid)…`: the GUID is the last parenthesised group (friendly names contain parentheses). */
function items(cell: string): Item[] {
  return cell
    .split(/<br\s*\/?>/i)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^(.*)\(([^()]*)\)\s*$/.exec(s);
      const guid = m ? guidOf(m[2]) : undefined;
      return guid ? { name: m![1].trim(), guid } : { name: s, guid: undefined };
    });
}

interface Row {
  product: string;
  partNumber: string;
  skuId: string;
  plans: Item[];
  friendly: Item[];
  line: number;
}

const rows: Row[] = [];
const lines = readFileSync(source, 'utf8').split('\n');
lines.forEach((text, i) => {
  if (!text.startsWith('|')) return;
  const cells = text.split('|').slice(1, -1).map((c) => c.trim());
  if (cells.length !== 5) return;
  const skuId = guidOf(cells[2]);
  if (!skuId) return; // the header and separator rows
  rows.push({ product: cells[0], partNumber: cells[1], skuId, plans: items(cells[3]), friendly: items(cells[4]), line: i + 1 });
});

const notes: string[] = [];
// One string ID per plan GUID: the name most SKUs give it.
const namesOf = new Map<string, Map<string, number>>();
for (const r of rows)
  for (const p of r.plans) {
    if (!p.guid) continue;
    const name = p.name.replace(/\s+/g, '');
    const m = namesOf.get(p.guid) ?? new Map<string, number>();
    m.set(name, (m.get(name) ?? 0) + 1);
    namesOf.set(p.guid, m);
  }
const planName = new Map<string, string>();
for (const [guid, names] of namesOf) {
  const sorted = [...names].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  planName.set(guid, sorted[0][0]);
  if (sorted.length > 1) notes.push(`plan ${guid} is named ${sorted.map(([n, c]) => `${n} (${c})`).join(', ')}; kept ${sorted[0][0]}`);
}

const friendlyOf = new Map<string, Map<string, number>>();
const skus: { skuId: string; partNumber: string; displayName: string; plans: string[] }[] = [];
const seenSku = new Map<string, Row>();
for (const r of rows) {
  if (seenSku.has(r.skuId)) {
    notes.push(`SKU ${r.skuId} appears again at line ${r.line} (${r.partNumber}); the first row (line ${seenSku.get(r.skuId)!.line}) is kept`);
    continue;
  }
  seenSku.set(r.skuId, r);
  const plans: string[] = [];
  r.plans.forEach((p) => {
    if (!p.guid) return notes.push(`line ${r.line}: plan '${p.name}' has no GUID; left out`);
    if (!plans.includes(p.guid)) plans.push(p.guid);
  });
  r.friendly.forEach((f, k) => {
    let guid = f.guid;
    if (guid && !plans.includes(guid)) {
      if (planName.has(guid) && r.friendly.length > r.plans.length) {
        plans.push(guid);
        notes.push(`line ${r.line}: plan ${guid} (${f.name}) appears only among the friendly names; kept as ${planName.get(guid)}`);
      } else {
        notes.push(`line ${r.line}: friendly name '${f.name}' gives ${guid}, not among the row's plans; matched by position`);
        guid = r.plans[k]?.guid;
      }
    } else if (!guid) {
      guid = r.plans[k]?.guid;
      notes.push(`line ${r.line}: friendly name '${f.name}' has no GUID; matched by position`);
    }
    if (!guid) return;
    const m = friendlyOf.get(guid) ?? new Map<string, number>();
    m.set(f.name, (m.get(f.name) ?? 0) + 1);
    friendlyOf.set(guid, m);
  });
  skus.push({ skuId: r.skuId, partNumber: r.partNumber, displayName: r.product, plans });
}

const partNumbers = new Map<string, string>();
for (const s of skus) {
  const key = s.partNumber.toLowerCase();
  if (partNumbers.has(key)) notes.push(`part number ${s.partNumber} names two SKUs (${partNumbers.get(key)}, ${s.skuId})`);
  else partNumbers.set(key, s.skuId);
}

const plans: Record<string, [name: string, displayName: string]> = {};
for (const guid of [...planName.keys()].sort()) {
  const names = [...(friendlyOf.get(guid) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  plans[guid] = [planName.get(guid)!, names[0]?.[0] ?? planName.get(guid)!];
}
skus.sort((a, b) => (a.partNumber < b.partNumber ? -1 : a.partNumber > b.partNumber ? 1 : 0));

writeFileSync(outFile, JSON.stringify({ source: 'licensing-service-plan-reference.md (ms.date 10/29/2025)', plans, skus }) + '\n');
process.stdout.write(`${skus.length} SKUs, ${Object.keys(plans).length} service plans → ${outFile}\n`);
for (const n of notes) process.stdout.write(`  note: ${n}\n`);
