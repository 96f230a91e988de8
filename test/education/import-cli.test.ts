// tenantbox import sds|oneroster as users run it: a summary on success, every bad row on stderr and exit code 1
// with nothing written, and the imported roster served by a server started on the same data dir.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { startTenantbox } from '../../src/server.js';
import { SMALL_SDS, writeSdsFixture } from './sds-fixture.js';
import { writeOneRosterFixture } from './oneroster-fixture.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/tenantbox.js');
const work = mkdtempSync(join(tmpdir(), 'tenantbox-import-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(args: string[]) {
  try {
    const r = await run(process.execPath, [BIN, ...args], { timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('tenantbox import', () => {
  const dataDir = join(work, 'data');

  it('refuses a set with bad rows, listing them, and writes nothing', async () => {
    const folder = join(work, 'bad');
    writeSdsFixture(folder, SMALL_SDS);
    const teachers = readFileSync(join(folder, 'Teacher.csv'), 'utf8').split('\r\n');
    teachers[2] = teachers[2].replace(/^([^,]*,)[^,]*/, '$1SCH-404');
    writeFileSync(join(folder, 'Teacher.csv'), teachers.join('\r\n'));
    const r = await cli(['import', 'sds', folder, '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Nothing was imported');
    expect(r.stderr).toContain("Teacher.csv:3: unknown School SIS ID 'SCH-404'");
  });

  it('imports SDS and OneRoster sets and reports what changed', async () => {
    const sds = join(work, 'sds');
    writeSdsFixture(sds, SMALL_SDS);
    const first = await cli(['import', 'sds', sds, '--data-dir', dataDir, '--json']);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({ schools: { created: 2 }, classes: { created: 4 }, users: { created: 15 } });
    const again = await cli(['import', 'sds', sds, '--data-dir', dataDir]);
    expect(again.stdout).toMatch(/users\s+0 created, 0 updated, 15 unchanged/);
    const or = join(work, 'or');
    writeOneRosterFixture(or);
    expect((await cli(['import', 'oneroster', or, '--data-dir', dataDir])).stdout).toMatch(/classes\s+3 created/);
  });

  it('the imported roster is served by a server on the same store', async () => {
    const tb = await startTenantbox({ ...resolveConfig({ dataDir, port: 0, httpsPort: 0, logLevel: 'silent' }, {}) }, { sharedTls: true });
    try {
      const n = await tb.dir.db.selectFrom('objects').select((eb) => eb.fn.countAll().as('n')).where('facet', '=', 'educationClass').executeTakeFirst();
      // 9 demo classes (seeded at start) + 4 SDS sections + 3 OneRoster classes.
      expect(Number(n?.n)).toBe(16);
    } finally {
      await tb.close();
    }
  });
});
