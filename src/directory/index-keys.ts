// Integer keys for the index's (resource, index property) pairs. An index row is (key, value, object's row key):
// the text names of resource and property, repeated in every row and in both of its b-tree orders, were two thirds
// of the index's bytes. The numbering follows from the capability table alone, so every store built under one
// table agrees on it; a store built under another table is re-indexed on start-up (index-version.ts), which
// rewrites every row under the current numbering.
import { sql, type RawBuilder } from 'kysely';
import { complexType, resource as resourceMeta } from '../schema/resources.js';
import data from '../schema/resources.generated.json' with { type: 'json' };
import { NO_M365_INDEX_PROP } from './on-prem-state.js';

/** Every index property name indexEntries (src/odata/index-rows.ts) can give a property, and a few it never does. */
function namesOf(resourceName: string): string[] {
  const names: string[] = [];
  for (const p of Object.values(resourceMeta(resourceName).properties)) {
    if (!(p.filter.length > 0 || p.orderby || p.search)) continue;
    names.push(p.name, `${p.name}/$count`, `${p.name}/$reverse`, `${p.name}/$search`);
    for (const m of Object.values(complexType(p.type)?.properties ?? {})) names.push(`${p.name}/${m.name}`);
  }
  if (resourceName === 'user') names.push(NO_M365_INDEX_PROP);
  return names;
}

const KEYS = new Map<string, number>();
for (const r of Object.keys((data as { resources: Record<string, unknown> }).resources).sort())
  for (const name of [...new Set(namesOf(r))].sort()) KEYS.set(`${r}\0${name}`, KEYS.size + 1);

/** The key of index property `prop` of `resource`. */
export function indexKey(resource: string, prop: string): number {
  const k = KEYS.get(`${resource}\0${prop}`);
  if (k === undefined) throw new Error(`object_index: '${resource}' has no index property '${prop}'`);
  return k;
}

/** Base types a directoryObject collection can hold; each object's rows live under its own type. */
const BASE_TYPES = ['user', 'group', 'device', 'administrativeUnit', 'orgContact', 'servicePrincipal'];

/**
 * The key of `prop` as SQL: a literal for one resource, or, for a directoryObject collection, the key under the
 * row's own type (`typeCol`), null for a type without that property. Literals keep one statement text per query
 * shape and leave PostgreSQL nothing to infer.
 */
export function indexKeySql(resource: string, prop: string, typeCol: RawBuilder<unknown>): RawBuilder<unknown> {
  if (resource !== 'directoryObject') return sql.lit(indexKey(resource, prop));
  const arms = BASE_TYPES.flatMap((t) => {
    const k = KEYS.get(`${t}\0${prop}`);
    return k === undefined ? [] : [sql`when ${sql.lit(t)} then ${sql.lit(k)}`];
  });
  return arms.length ? sql`(case ${typeCol} ${sql.join(arms, sql` `)} end)` : sql`null`;
}
