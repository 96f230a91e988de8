// Rewrites the parity table in README.md from the route table (see scripts/parity.ts).
//
// Run: npx tsx scripts/generate-parity.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withParity } from './parity.js';

const readme = resolve(dirname(fileURLToPath(import.meta.url)), '../README.md');
writeFileSync(readme, withParity(readFileSync(readme, 'utf8')));
console.log(`wrote the parity table into ${readme}`);
