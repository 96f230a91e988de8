// Runs once before the test workers start:
// - makes the shared test certificate and tells every worker's TLS stack to trust it, as users do with
//   NODE_EXTRA_CA_CERTS=$(npx tenantbox cert). Node reads the variable at process start, so it is set here, before
//   the workers are forked;
// - builds the demo tenant image from the current sources once, for every test server to load;
// - rebuilds dist/ when a source is newer, since the CLI tests run bin/tenantbox.js, the compiled command.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { certPath, loadTls } from '../../src/auth/tls.js';
import { buildDemoImage } from '../../src/tenants/demo-image.js';

const ROOT = resolve(import.meta.dirname, '../..');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function buildIfStale() {
  const built = join(ROOT, 'dist', 'cli.js');
  const sources = Math.max(newestSource(join(ROOT, 'src')), statSync(join(ROOT, 'package.json')).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'scripts/build.ts')], { stdio: 'inherit', cwd: ROOT });
}

export default async function setup() {
  await loadTls(undefined);
  process.env.NODE_EXTRA_CA_CERTS = certPath(undefined);
  const work = mkdtempSync(join(tmpdir(), 'tenantbox-test-image-'));
  const imagePath = join(work, 'demo-tenant.sqlite');
  writeFileSync(imagePath, await buildDemoImage());
  process.env.TENANTBOX_TEST_IMAGE = imagePath;
  buildIfStale();
  return () => rmSync(work, { recursive: true, force: true });
}
