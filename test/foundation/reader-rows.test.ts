// Rows read on a SQLite reader thread arrive as the writer connection would have returned them: the same keys in
// the same order (a repeated column name keeps its last value, as better-sqlite3 does), Buffers for blobs, numbers,
// nulls and text unchanged, and no rows for an empty result.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SqliteReaders } from '../../src/store/sqlite-readers.js';

let dir: string;
let file: string;
let direct: Database.Database;
let readers: SqliteReaders;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tenantbox-readers-'));
  file = join(dir, 'rows.sqlite');
  direct = new Database(file);
  direct.pragma('journal_mode = WAL');
  direct.exec(`create table t (id text primary key, n integer, r real, b blob, note text)`);
  const insert = direct.prepare('insert into t values (?, ?, ?, ?, ?)');
  for (let i = 0; i < 250; i++) insert.run(`id-${String(i).padStart(3, '0')}`, i, i / 4, i % 3 ? Buffer.from([i % 256, 0, 255]) : null, i % 5 ? `note ${i} ✓` : null);
  readers = new SqliteReaders(file, 5_000, 2);
});

afterAll(async () => {
  await readers.close();
  direct.close();
  rmSync(dir, { recursive: true, force: true });
});

const cases: [string, string, unknown[]][] = [
  ['every column type, many rows', 'select * from t order by id', []],
  ['a parameter and a limit', 'select id, n, b from t where n >= ? order by id limit ?', [100, 101]],
  ['a repeated column name', "select id as k, n as k, 'x' as other from t order by id limit 3", []],
  ['an empty result', 'select * from t where id = ?', ['none']],
  ['a blob parameter', 'select id from t where b = ?', [Buffer.from([1, 0, 255])]],
];

test.each(cases)('%s', async (_name, query, params) => {
  const expected = direct.prepare(query).all(...params);
  const rows = (await readers.query(query, params)) as Record<string, unknown>[];
  expect(rows).toEqual(expected);
  rows.forEach((row, i) => expect(Object.keys(row)).toEqual(Object.keys(expected[i] as object)));
  for (const row of rows) for (const v of Object.values(row)) if (v !== null && typeof v === 'object') expect(Buffer.isBuffer(v)).toBe(true);
});

test('the first case really holds blobs, nulls and reals', async () => {
  const rows = (await readers.query('select * from t order by id', [])) as { b: unknown; note: unknown; r: unknown }[];
  expect(rows).toHaveLength(250);
  expect(rows.filter((r) => Buffer.isBuffer(r.b))).toHaveLength(166);
  expect(rows.filter((r) => r.note === null)).toHaveLength(50);
  expect(rows[1].r).toBe(0.25);
});

test('a failing statement rejects with SQLite’s message and code', async () => {
  await expect(readers.query('select * from missing_table', [])).rejects.toMatchObject({ message: expect.stringContaining('no such table'), code: 'SQLITE_ERROR' });
});
