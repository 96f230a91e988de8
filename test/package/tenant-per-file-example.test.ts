// The README's "a tenant per test file" example is a real project in examples/vitest-tenant-per-file: run it as a
// user would (its own vitest run, its test files in parallel workers against one server), and keep the README's
// copy of it equal to the files.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ENGINES, freshLocation } from '../support/stores.js';

const run = promisify(execFile);
const EXAMPLE = fileURLToPath(new URL('../../examples/vitest-tenant-per-file/', import.meta.url));
const FILES = ['vitest.config.ts', 'test/tenantbox.setup.ts', 'test/tenant.ts', 'tenant.yaml', 'test/groups.test.ts', 'test/users.test.ts'];

describe('the tenant-per-test-file example', () => {
  it('is in the README as it is in examples/', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const file of FILES) {
      const block = new RegExp(`\`\`\`\\w+\\n// examples/vitest-tenant-per-file/${file.replace(/[./]/g, '\\$&')}\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1] ?? new RegExp(`\`\`\`yaml\\n# examples/vitest-tenant-per-file/${file.replace(/[./]/g, '\\$&')}\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
      expect(block, file).toBe(readFileSync(EXAMPLE + file, 'utf8'));
    }
  });

  it.each(ENGINES)('runs on %s: its files in parallel on one server, each in a tenant of its own', async (engine) => {
    const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
    const loc = await freshLocation(engine);
    const env = engine === 'postgres' ? { ...process.env, DATABASE_URL: loc.location, DATABASE_SCHEMA: loc.pgSchema } : process.env;
    const { stdout: colored } = await run(process.execPath, [vitest, 'run', '--root', EXAMPLE, '--reporter', 'verbose'], { timeout: 120_000, env }).finally(() => loc.cleanup());
    const stdout = colored.replace(/\x1b\[[0-9;]*m/g, '');
    expect(stdout).toMatch(/Test Files\s+2 passed \(2\)/);
    expect(stdout).toMatch(/Tests\s+3 passed \(3\)/);
  }, 150_000);
});
