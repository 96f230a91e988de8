// Tenant shapes for the benchmark sizes: about 55% users, 30% devices, 10% groups and one school in 10,000.
import type { TenantSpec } from '../src/directory/generate.js';

export const SIZES: Record<string, number> = { '1k': 1_000, '10k': 10_000, '100k': 100_000, '1M': 1_000_000 };

export function parseSizes(list: string): string[] {
  const sizes = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of sizes) if (!SIZES[s]) throw new Error(`unknown size '${s}' (one of ${Object.keys(SIZES).join(', ')})`);
  return sizes;
}

export function specFor(size: string, seed: number): TenantSpec {
  const n = SIZES[size];
  return {
    users: Math.round(n * 0.55),
    devices: Math.round(n * 0.3),
    groups: Math.round(n * 0.1),
    schools: Math.max(1, Math.round(n / 10_000)),
    classesPerSchool: 20,
    nestingDepth: 10,
    seed,
  };
}
