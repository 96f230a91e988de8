// Reading roster CSV files: header names matched without regard to case or spacing, each record with its line.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Origin, Problem } from './roster.js';

export interface CsvRow {
  origin: Origin;
  /** Trimmed value of a column ('' when absent or empty), by its normalised header name. */
  get(column: string): string;
}

export interface CsvFile {
  name: string;
  rows: CsvRow[];
  columns: Set<string>;
}

/** 'School SIS ID' → 'schoolsisid', 'sourcedId' → 'sourcedid'. */
export const columnKey = (header: string) => header.replace(/[\s_-]+/g, '').toLowerCase();

/** Finds `name` in the folder regardless of case (exports from Windows tools vary). */
function findFile(folder: string, name: string): string | undefined {
  if (!existsSync(folder)) return undefined;
  const hit = readdirSync(folder).find((f) => f.toLowerCase() === name.toLowerCase());
  return hit ? join(folder, hit) : undefined;
}

/**
 * Reads one CSV file of the roster. A missing required file or a malformed row is a problem; required columns
 * missing from the header are one problem for line 1.
 */
export function readCsv(folder: string, name: string, opts: { required: boolean; columns: string[] }, problems: Problem[]): CsvFile | undefined {
  const path = findFile(folder, name);
  if (!path) {
    if (opts.required) problems.push({ file: name, line: 0, message: 'file not found' });
    return undefined;
  }
  let records: { record: string[]; info: { lines: number; invalid_field_length: number } }[];
  try {
    records = parse(readFileSync(path), { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as never;
  } catch (err) {
    const e = err as { lines?: number; message?: string };
    problems.push({ file: name, line: e.lines ?? 0, message: `not valid CSV (${e.message ?? 'parse error'})` });
    return undefined;
  }
  if (!records.length) {
    problems.push({ file: name, line: 1, message: 'no header row' });
    return undefined;
  }
  const header = records[0].record.map(columnKey);
  const columns = new Set(header);
  const missing = opts.columns.filter((c) => !columns.has(columnKey(c)));
  if (missing.length) problems.push({ file: name, line: records[0].info.lines, message: `missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}` });
  const index = new Map(header.map((h, i) => [h, i]));
  const rows: CsvRow[] = [];
  for (const { record, info } of records.slice(1)) {
    const origin = { file: name, line: info.lines };
    if (record.length !== header.length) {
      problems.push({ ...origin, message: `expected ${header.length} fields, found ${record.length}` });
      continue;
    }
    rows.push({
      origin,
      get: (column) => {
        const i = index.get(columnKey(column));
        return i === undefined ? '' : (record[i] ?? '');
      },
    });
  }
  return { name, rows, columns };
}
