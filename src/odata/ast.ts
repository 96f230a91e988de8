// The typed ASTs. `Syntax` is what the $filter parser produces; `Filter` is the bound form (checked against the
// capability table, literals encoded) that the SQL compiler, the planner and the in-memory evaluator all consume.

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number; raw: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'guid'; value: string }
  | { kind: 'dateTime'; value: string }
  | { kind: 'date'; value: string };

export type ComparisonOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type Syntax =
  | { kind: 'literal'; literal: Literal }
  | { kind: 'path'; segments: string[] }
  | { kind: 'and' | 'or'; left: Syntax; right: Syntax }
  | { kind: 'compare'; op: ComparisonOp | 'has'; left: Syntax; right: Syntax }
  | { kind: 'in'; left: Syntax; items: Syntax[] }
  | { kind: 'not'; operand: Syntax }
  | { kind: 'call'; name: string; args: Syntax[] }
  | { kind: 'lambda'; op: 'any' | 'all'; collection: string[]; variable?: string; body?: Syntax };

/** A test on one encoded index value (see encode.ts). */
export type ValueTest =
  | { kind: 'eq'; value: string }
  | { kind: 'in'; values: string[] }
  | { kind: 'range'; lower?: { value: string; inclusive: boolean }; upper?: { value: string; inclusive: boolean } }
  | { kind: 'prefix'; value: string }
  | { kind: 'and' | 'or'; left: ValueTest; right: ValueTest }
  | { kind: 'not'; operand: ValueTest }
  | { kind: 'true' };

/**
 * `prop` names an index property: `displayName`, `extensionAttributes/extensionAttribute1`,
 * `assignedLicenses/skuId`, `physicalIds/$count`, `displayName/$search`, `mail/$reverse`.
 * mode 'one': the object has exactly one value (null included); 'any' / 'all': over the values of a collection.
 */
export type Filter =
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; operand: Filter }
  | { kind: 'const'; value: boolean }
  | { kind: 'test'; prop: string; mode: 'one' | 'any' | 'all'; test: ValueTest };

export interface OrderBy {
  prop: string;
  desc: boolean;
}

export interface ExpandItem {
  name: string;
}

export interface ODataQuery {
  resource: string;
  filter?: Filter;
  /** $search, already bound to index tests; AND it with `filter`. */
  search?: Filter;
  select?: string[];
  orderby?: OrderBy;
  top?: number;
  skip?: number;
  /** true only when $count=true came with ConsistencyLevel: eventual (otherwise Graph ignores it). */
  count: boolean;
  expand?: ExpandItem[];
  skiptoken?: string;
  /** ConsistencyLevel: eventual and $count=true were both given. */
  advanced: boolean;
}
