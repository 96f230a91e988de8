// npm run build: dist/ for the package.
// - Declarations from tsc (tsconfig.build.json), one .d.ts per module under src/.
// - The JavaScript bundled by esbuild into two entry points, dist/index.js (the in-process API) and dist/cli.js
//   (bin/tenantbox.js), with shared and lazily loaded parts split into chunks. Loading a few files instead of
//   hundreds is most of a start-up's time. Every dependency is bundled but better-sqlite3 (native), the one
//   runtime dependency, so installs stay small and a consumer resolves nothing else.
// - dist/demo-tenant.sqlite: the demo tenant seeded once and kept as database bytes, which new stores load.
// - dist/tenant-fixture.schema.json: the JSON Schema of tenant fixtures, for editors.
//
// Run: npm run build
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { DEMO_IMAGE_FILE, buildDemoImage } from '../src/tenants/demo-image.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const started = Date.now();

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

const result = await build({
  entryPoints: { index: join(root, 'src/index.ts'), cli: join(root, 'src/cli/main.ts') },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Chunks sit beside the entry points, so import.meta.url finds dist/demo-tenant.sqlite from any of them.
  chunkNames: '[name]-[hash]',
  // pg-native is pg's optional native binding, never installed here.
  external: ['better-sqlite3', 'pg-native'],
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __tenantboxRequire } from 'node:module'; const require = __tenantboxRequire(import.meta.url);" },
  // Less to read and parse at every start; names are kept so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

writeFileSync(join(dist, 'THIRD_PARTY_LICENSES.txt'), thirdPartyLicenses(Object.keys(result.metafile!.inputs)));
writeFileSync(join(dist, DEMO_IMAGE_FILE), await buildDemoImage());
// The fixture schema, for editors: "$schema": "node_modules/tenantbox/dist/tenant-fixture.schema.json".
copyFileSync(join(root, 'src/tenants/tenant-fixture.schema.json'), join(dist, 'tenant-fixture.schema.json'));

/** The licence texts of every package the bundles contain, which their licences ask to be shipped with copies. */
function thirdPartyLicenses(inputs: string[]): string {
  const packages = new Set<string>();
  for (const input of inputs) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packages.add(input.slice(0, m.index + m[0].length - 1).replace(/^.*?node_modules\//, 'node_modules/'));
  }
  const parts: string[] = ['Tenantbox bundles the following packages into dist/. Their licences follow.', ''];
  for (const dir of [...packages].sort()) {
    const pkgDir = join(root, dir);
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    const file = readdirSync(pkgDir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    parts.push(`${'='.repeat(80)}`, `${pkg.name}@${pkg.version} (${pkg.license ?? 'see below'})`, '');
    parts.push(file && existsSync(join(pkgDir, file)) ? readFileSync(join(pkgDir, file), 'utf8').trim() : `No licence file; package.json says: ${pkg.license ?? 'nothing'}.`, '');
  }
  return `${parts.join('\n')}\n`;
}
process.stdout.write(`dist/ built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
