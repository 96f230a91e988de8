// The SQLite data dir protects itself: one server per data file (the second is told which process holds it), a
// damaged file is refused at start with a clear message, and a full or read-only disk is named as such.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { StoreOpenError } from '../../src/store/open-errors.js';
import { spawnServer, type Spawned } from './support.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const tempDir = (tag: string) => {
  const d = mkdtempSync(join(tmpdir(), `tenantbox-${tag}-`));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

const openError = (location: string) => openStore({ location }).then(async (s) => (await s.close(), undefined), (e: unknown) => e);

/** Runs `tenantbox serve` expecting it to refuse to start; returns what it printed. */
async function refusedStart(args: string[]): Promise<string> {
  const err = await spawnServer([...args, '--log-level', 'silent']).then(
    (s: Spawned) => {
      s.proc.kill('SIGKILL');
      return undefined;
    },
    (e: Error) => e,
  );
  expect(err, 'the server should not have started').toBeInstanceOf(Error);
  return (err as Error).message;
}

const isRoot = process.getuid?.() === 0;

describe('SQLite data dir safety', () => {
  test('a second server on the same data dir is refused, naming the process that holds it', async () => {
    const dataDir = tempDir('lock');
    const first = await spawnServer(['--data-dir', dataDir, '--log-level', 'silent']);
    cleanups.push(async () => {
      first.proc.kill('SIGTERM');
      await first.exited;
    });
    const out = await refusedStart(['--data-dir', dataDir]);
    expect(out).toContain(`pid ${first.proc.pid}`);
    expect(out).toMatch(/in use by another Tenantbox process/);
    const inProcess = await openError(join(dataDir, 'tenantbox.sqlite'));
    expect(inProcess).toBeInstanceOf(StoreOpenError);
    expect((inProcess as StoreOpenError).problem).toBe('locked');
    // The first server is unharmed.
    expect((await fetch(`${first.base}/health`)).status).toBe(200);
  }, 120_000);

  test('a lock left by a process that no longer runs is taken over', async () => {
    const dir = tempDir('stale');
    const location = join(dir, 'tenantbox.sqlite');
    writeFileSync(`${location}.lock`, JSON.stringify({ pid: 2 ** 22 + 17, host: (await import('node:os')).hostname() }));
    const store = await openStore({ location });
    await store.close();
  });

  test('a file with damaged pages is refused at start with a clear error (in-process and from the CLI)', async () => {
    const dataDir = tempDir('damaged');
    const location = join(dataDir, 'tenantbox.sqlite');
    const store = await openStore({ location });
    await store.write(async (tx) => {
      for (let i = 0; i < 300; i++) await tx.insertInto('meta').values({ key: `filler-${i}`, value: 'x'.repeat(200) }).execute();
    });
    await store.close();
    // Overwrite the middle of the file (b-tree pages, not the header) with garbage.
    const size = statSync(location).size;
    const fd = openSync(location, 'r+');
    writeSync(fd, Buffer.alloc(4096 * 3, 0xa5), 0, 4096 * 3, Math.floor(size / 4096 / 2) * 4096);
    closeSync(fd);
    const err = await openError(location);
    expect(err).toBeInstanceOf(StoreOpenError);
    expect((err as StoreOpenError).problem).toBe('damaged');
    expect((err as Error).message).toContain(location);
    expect((err as Error).message).toMatch(/is damaged/);
    const out = await refusedStart(['--data-dir', dataDir]);
    expect(out).toMatch(/is damaged/);
  }, 120_000);

  test('--in-memory keeps nothing: its RAM-backed file (shared with the reader threads) is gone after close', async () => {
    const { readdirSync } = await import('node:fs');
    const where = readdirSync('/dev/shm').length >= 0 ? '/dev/shm' : tmpdir();
    const mine = () => readdirSync(where).filter((f) => f.startsWith(`tenantbox-memory-${process.pid}-`));
    const before = mine().length;
    const store = await openStore({ location: ':memory:' });
    await store.write(async (tx) => tx.insertInto('meta').values({ key: 'k', value: 'v' }).execute());
    // Read through a reader thread: it sees the writer's commit in the shared file.
    expect((await store.db.selectFrom('meta').select('value').where('key', '=', 'k').executeTakeFirst())?.value).toBe('v');
    expect(mine().length).toBeGreaterThan(before);
    await store.close();
    expect(mine().length).toBe(before);
  });

  test('a file that is not a database at all is named as damaged', async () => {
    const dir = tempDir('notdb');
    const location = join(dir, 'tenantbox.sqlite');
    writeFileSync(location, 'this is not a database'.repeat(300));
    const err = await openError(location);
    expect((err as StoreOpenError).problem).toBe('damaged');
  });

  test.skipIf(!isRoot)('a full disk at start is named as such (not "cannot rollback")', async () => {
    const mount = tempDir('full');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48k', 'tmpfs', mount]);
    cleanups.push(() => void execFileSync('umount', [mount]));
    const err = await openError(join(mount, 'data', 'tenantbox.sqlite'));
    expect(err).toBeInstanceOf(StoreOpenError);
    expect((err as StoreOpenError).problem).toBe('diskFull');
    expect((err as Error).message).toMatch(/is full/);
    expect((err as Error).message).not.toMatch(/rollback/);
  });

  test.skipIf(!isRoot)('a read-only data dir is named as such', async () => {
    const mount = tempDir('ro');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mount]);
    cleanups.push(() => void execFileSync('umount', [mount]));
    mkdirSync(join(mount, 'data'));
    const store = await openStore({ location: join(mount, 'data', 'tenantbox.sqlite') });
    await store.close();
    execFileSync('mount', ['-o', 'remount,ro', mount]);
    const err = await openError(join(mount, 'data', 'tenantbox.sqlite'));
    expect(err).toBeInstanceOf(StoreOpenError);
    expect((err as StoreOpenError).problem).toBe('readOnly');
    expect((err as Error).message).toMatch(/read-only/);
    const fresh = await openError(join(mount, 'other', 'tenantbox.sqlite'));
    expect((fresh as StoreOpenError).problem).toBe('readOnly');
  });
});
