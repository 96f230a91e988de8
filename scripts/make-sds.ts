// Writes a synthetic School Data Sync v1 roster: npx tsx scripts/make-sds.ts <folder> [small|large]
import { LARGE_SDS, SMALL_SDS, writeSdsFixture } from '../test/education/sds-fixture.js';

const [folder, size = 'large'] = process.argv.slice(2);
if (!folder) {
  process.stderr.write('usage: tsx scripts/make-sds.ts <folder> [small|large]\n');
  process.exit(2);
}
const rows = writeSdsFixture(folder, size === 'small' ? SMALL_SDS : LARGE_SDS);
process.stdout.write(`${Object.entries(rows).map(([f, n]) => `${f}: ${n} rows`).join('\n')}\n`);
