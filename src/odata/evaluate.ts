// In-memory evaluation of a bound filter over a JSON document: the reference the SQL path is tested against,
// and the engine for small in-memory collections (usageRights).
import type { Filter, ValueTest } from './ast.js';
import { compareEncoded } from './encode.js';
import { absentValue, indexEntries } from './index-rows.js';

type Doc = Record<string, unknown>;

export function testValue(t: ValueTest, v: string): boolean {
  switch (t.kind) {
    case 'eq':
      return v === t.value;
    case 'in':
      return t.values.includes(v);
    case 'range': {
      if (t.lower) {
        const c = compareEncoded(v, t.lower.value);
        if (c < 0 || (c === 0 && !t.lower.inclusive)) return false;
      }
      if (t.upper) {
        const c = compareEncoded(v, t.upper.value);
        if (c > 0 || (c === 0 && !t.upper.inclusive)) return false;
      }
      return true;
    }
    case 'prefix':
      return v.startsWith(t.value);
    case 'and':
      return testValue(t.left, v) && testValue(t.right, v);
    case 'or':
      return testValue(t.left, v) || testValue(t.right, v);
    case 'not':
      return !testValue(t.operand, v);
    case 'true':
      return true;
  }
}

/** Does a single-valued test pass for an object with no index row for its property (null, or a count of 0)? */
export function passesWhenAbsent(f: Extract<Filter, { kind: 'test' }>): boolean {
  return f.mode === 'one' && testValue(f.test, absentValue(f.prop));
}

function run(f: Filter, entries: Map<string, string[]>): boolean {
  switch (f.kind) {
    case 'and':
      return run(f.left, entries) && run(f.right, entries);
    case 'or':
      return run(f.left, entries) || run(f.right, entries);
    case 'not':
      return !run(f.operand, entries);
    case 'const':
      return f.value;
    case 'test': {
      const values = entries.get(f.prop) ?? (f.mode === 'one' ? [absentValue(f.prop)] : []);
      return f.mode === 'all' ? values.every((v) => testValue(f.test, v)) : values.some((v) => testValue(f.test, v));
    }
  }
}

/** Does `doc` (`{ id, ...props }` of `resource`) satisfy the filter? */
export function evaluate(filter: Filter | undefined, doc: Doc, resource: string): boolean {
  if (!filter) return true;
  return run(filter, indexEntries(resource, doc));
}
