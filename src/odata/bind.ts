// Binds parsed $filter / $search syntax to a resource: checks every property and operator against the capability
// table, encodes literals, and records which uses need advanced query parameters (graph-notes §2).
import type { ComparisonOp, Filter, Literal, Syntax, ValueTest } from './ast.js';
import type { SearchSyntax } from './search-parser.js';
import { encodeNumber, encodeText, isGuid, isNumericType, MARK, normalizeDateTime, normalizeText, NULL_VALUE, reverseText, searchTokens } from './encode.js';
import { invalidFilter } from './filter-parser.js';
import { badRequest, unsupportedQuery } from '../graph/errors.js';
import { advancedOperators, property, resource as resourceMeta, resourceDisplayName, type FilterOp, type MemberMeta, type PropertyMeta } from '../schema/resources.js';

/** What needs ConsistencyLevel: eventual + $count=true, in the order met: an operator name or 'search'. */
export type AdvancedUse = { kind: 'operator'; op: string } | { kind: 'search' };

export interface BindContext {
  resource: string;
  advancedUses: AdvancedUse[];
}

export const unsupportedClause = (prop: string, resource: string) =>
  unsupportedQuery(`Unsupported or invalid query filter clause specified for property '${prop}' of resource '${resourceDisplayName(resource)}'.`);

export const noSuchProperty = (name: string, resource: string) =>
  badRequest(`Could not find a property named '${name}' on type '${resourceMeta(resource).odataType.slice(1)}'.`);

interface Target {
  prop: string; // index property
  mode: 'one' | 'any' | 'all';
  top: PropertyMeta;
  leaf: MemberMeta;
  member?: string; // member of a complex property, for memberAdvanced
  count?: boolean;
}

interface Lambda {
  variable: string;
  collection: string[];
  top: PropertyMeta;
  op: 'any' | 'all';
}

const FLIP: Record<ComparisonOp, ComparisonOp> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };
const OP_KIND: Record<string, string> = { eq: 'Equal', ne: 'NotEqual', gt: 'GreaterThan', ge: 'GreaterThanOrEqual', lt: 'LessThan', le: 'LessThanOrEqual' };

export function bindFilter(syntax: Syntax, ctx: BindContext): Filter {
  return new Binder(ctx).bool(syntax, false, undefined);
}

class Binder {
  constructor(private readonly ctx: BindContext) {}

  private require(t: Target, op: FilterOp, negated: boolean) {
    const name = t.member ? `${t.top.name}/${t.member}` : t.top.name;
    if (!t.top.filter.includes(op)) throw unsupportedClause(name, this.ctx.resource);
    if (negated && !t.top.filter.includes('not')) throw unsupportedClause(name, this.ctx.resource);
    const adv = advancedOperators.includes(op) || t.top.advanced.includes(op) || (t.member && t.top.memberAdvanced?.[t.member]?.includes(op));
    if (adv) this.ctx.advancedUses.push({ kind: 'operator', op: op === 'eqNull' ? 'eq' : op === 'count' ? '$count' : op });
    if (negated) this.ctx.advancedUses.push({ kind: 'operator', op: 'not' });
  }

  bool(s: Syntax, negated: boolean, lambda: Lambda | undefined): Filter {
    switch (s.kind) {
      case 'and':
      case 'or':
        return { kind: s.kind, left: this.bool(s.left, negated, lambda), right: this.bool(s.right, negated, lambda) };
      case 'not':
        return { kind: 'not', operand: this.bool(s.operand, !negated, lambda) };
      case 'literal':
        if (s.literal.kind === 'boolean') return { kind: 'const', value: s.literal.value };
        throw invalidFilter('a literal is not a condition.');
      case 'compare':
        return this.compare(s, negated, lambda);
      case 'in':
        return this.inList(s, negated, lambda);
      case 'call':
        return this.call(s, negated, lambda);
      case 'lambda':
        return this.lambda(s, negated, lambda);
      case 'path': {
        const t = this.target(s.segments, lambda);
        if (t.leaf.type !== 'Edm.Boolean') throw invalidFilter(`'${s.segments.join('/')}' is not a condition.`);
        this.require(t, 'eq', negated);
        return { kind: 'test', prop: t.prop, mode: t.mode, test: { kind: 'eq', value: MARK + 'true' } };
      }
    }
  }

  /** Resolves a property path (possibly starting at a lambda variable) to the index property it is tested on. */
  private target(segments: string[], lambda: Lambda | undefined): Target {
    let path = segments;
    let inLambda = false;
    if (lambda && segments[0] === lambda.variable) {
      path = [...lambda.collection, ...segments.slice(1)];
      inLambda = true;
    }
    const count = path[path.length - 1] === '$count';
    if (count) path = path.slice(0, -1);
    const resolved = property(this.ctx.resource, path);
    if (!resolved) throw noSuchProperty(path.find((_, i) => !property(this.ctx.resource, path.slice(0, i + 1))) ?? path.join('/'), this.ctx.resource);
    const { top, leaf, members } = resolved;
    const name = path.join('/');
    if (count) {
      if (!top.collection || members.length) throw unsupportedClause(name, this.ctx.resource);
      if (inLambda) throw unsupportedClause(name, this.ctx.resource);
      return { prop: `${name}/$count`, mode: 'one', top, leaf: { name: '$count', type: 'Edm.Int32', kind: 'primitive', collection: false, nullable: false }, count: true };
    }
    if (top.collection) {
      // A collection is tested element by element inside a lambda, and only there (graph-notes §2).
      if (!inLambda || lambda!.top !== top) throw unsupportedClause(name, this.ctx.resource);
      if (leaf.kind === 'complex' || (members.length && leaf.collection)) throw unsupportedClause(name, this.ctx.resource);
      return { prop: name, mode: lambda!.op, top, leaf, member: members[0] };
    }
    if (inLambda) throw unsupportedClause(name, this.ctx.resource);
    if (leaf.kind === 'complex' || leaf.collection) throw unsupportedClause(name, this.ctx.resource);
    return { prop: name, mode: 'one', top, leaf, member: members[0] };
  }

  private literal(t: Target, lit: Literal, op: string): string {
    const type = t.leaf.type;
    const mismatch = () =>
      badRequest(`A binary operator with incompatible types was detected. Found operand types '${type.startsWith('Edm.') ? type : 'microsoft.graph.' + type}' and '${literalTypeName(lit)}' for operator kind '${OP_KIND[op] ?? op}'.`);
    if (lit.kind === 'null') return NULL_VALUE;
    if (type === 'Edm.Boolean') {
      if (lit.kind !== 'boolean') throw mismatch();
      return MARK + String(lit.value);
    }
    if (isNumericType(type)) {
      if (lit.kind !== 'number' || !Number.isFinite(lit.value)) throw mismatch();
      return MARK + encodeNumber(lit.value);
    }
    if (type === 'Edm.Guid') {
      const v = lit.kind === 'guid' || lit.kind === 'string' ? lit.value : undefined;
      if (v === undefined || !isGuid(v)) throw mismatch();
      return MARK + v.toLowerCase();
    }
    if (type === 'Edm.DateTimeOffset') {
      const v = lit.kind === 'dateTime' || lit.kind === 'date' || lit.kind === 'string' ? normalizeDateTime(lit.value) : undefined;
      if (v === undefined) throw mismatch();
      return MARK + v;
    }
    if (type === 'Edm.Date') {
      if (lit.kind === 'date') return MARK + lit.value;
      if (lit.kind === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(lit.value)) return MARK + lit.value;
      throw mismatch();
    }
    if (lit.kind !== 'string') throw mismatch();
    return encodeText(lit.value);
  }

  private compare(s: Extract<Syntax, { kind: 'compare' }>, negated: boolean, lambda: Lambda | undefined): Filter {
    if (s.op === 'has') throw unsupportedQuery("The 'has' operator is not supported for directory objects.");
    let { left, right } = s;
    let op: ComparisonOp = s.op;
    if (left.kind === 'literal' && right.kind !== 'literal') {
      [left, right] = [right, left];
      op = FLIP[op];
    }
    if (left.kind === 'call' && right.kind === 'literal' && right.literal.kind === 'boolean' && (op === 'eq' || op === 'ne')) {
      const truth = right.literal.value === (op === 'eq');
      const inner = this.call(left, truth ? negated : !negated, lambda);
      return truth ? inner : { kind: 'not', operand: inner };
    }
    if (right.kind !== 'literal' || (left.kind !== 'path')) throw invalidFilter('a comparison needs a property on one side and a literal on the other.');
    const t = this.target(left.segments, lambda);
    const lit = right.literal;
    if (lit.kind === 'null') {
      if (op !== 'eq' && op !== 'ne') throw invalidFilter(`null cannot be compared with '${op}'.`);
      if (t.mode !== 'one') throw unsupportedClause(t.prop, this.ctx.resource);
      this.require(t, 'eqNull', negated);
      if (op === 'ne') this.require(t, 'ne', negated);
      const test: ValueTest = { kind: 'eq', value: NULL_VALUE };
      return { kind: 'test', prop: t.prop, mode: t.mode, test: op === 'eq' ? test : { kind: 'not', operand: test } };
    }
    if (t.count) {
      if (op !== 'eq' && op !== 'ne') throw unsupportedClause(t.prop.slice(0, -7), this.ctx.resource);
      if (lit.kind !== 'number' || !Number.isInteger(lit.value) || lit.value < 0) throw invalidFilter('/$count is compared with a whole number.');
    }
    this.require(t, t.count ? 'count' : op, negated);
    const value = this.literal(t, lit, op);
    const test: ValueTest =
      op === 'eq' ? { kind: 'eq', value }
      : op === 'ne' ? { kind: 'not', operand: { kind: 'eq', value } }
      : op === 'gt' ? { kind: 'range', lower: { value, inclusive: false } }
      : op === 'ge' ? { kind: 'range', lower: { value, inclusive: true } }
      : op === 'lt' ? { kind: 'range', lower: { value: MARK, inclusive: true }, upper: { value, inclusive: false } }
      : { kind: 'range', lower: { value: MARK, inclusive: true }, upper: { value, inclusive: true } };
    return { kind: 'test', prop: t.prop, mode: t.mode, test };
  }

  private inList(s: Extract<Syntax, { kind: 'in' }>, negated: boolean, lambda: Lambda | undefined): Filter {
    if (s.left.kind !== 'path') throw invalidFilter("'in' needs a property on its left.");
    const t = this.target(s.left.segments, lambda);
    if (t.count) throw unsupportedClause(t.prop, this.ctx.resource);
    this.require(t, 'in', negated);
    // graph-notes §2 known issues: `in` is capped at 15 expressions unless the query is advanced.
    if (s.items.length > 15) this.ctx.advancedUses.push({ kind: 'operator', op: 'in' });
    const values = s.items.map((item) => {
      if (item.kind !== 'literal' || item.literal.kind === 'null') throw invalidFilter("'in' takes a list of literals.");
      return this.literal(t, item.literal, 'eq');
    });
    return { kind: 'test', prop: t.prop, mode: t.mode, test: { kind: 'in', values: [...new Set(values)] } };
  }

  private call(s: Extract<Syntax, { kind: 'call' }>, negated: boolean, lambda: Lambda | undefined): Filter {
    if (s.name !== 'startswith' && s.name !== 'endswith') {
      if (s.name === 'contains') throw unsupportedQuery("The 'contains' function is not supported for directory objects.");
      throw invalidFilter(`unknown function '${s.name}'.`);
    }
    const [subject, arg] = s.args;
    if (s.args.length !== 2 || subject.kind !== 'path' || arg.kind !== 'literal' || arg.literal.kind !== 'string') {
      throw invalidFilter(`${s.name} takes a property and a string literal.`);
    }
    const t = this.target(subject.segments, lambda);
    if (t.count || (t.leaf.type !== 'Edm.String' && t.leaf.kind !== 'enum')) throw unsupportedClause(t.prop, this.ctx.resource);
    if (s.name === 'startswith') {
      this.require(t, 'startsWith', negated);
      return { kind: 'test', prop: t.prop, mode: t.mode, test: { kind: 'prefix', value: encodeText(arg.literal.value) } };
    }
    this.require(t, 'endsWith', negated);
    return { kind: 'test', prop: `${t.prop}/$reverse`, mode: t.mode === 'one' ? 'one' : t.mode, test: { kind: 'prefix', value: MARK + reverseText(normalizeText(arg.literal.value)) } };
  }

  private lambda(s: Extract<Syntax, { kind: 'lambda' }>, negated: boolean, outer: Lambda | undefined): Filter {
    if (outer) throw unsupportedClause(s.collection.join('/'), this.ctx.resource);
    // directory-objects-filter.md documents `any` lambdas only, and the seeds none: `all` is refused like any
    // clause the capability tables do not list.
    if (s.op === 'all') throw unsupportedClause(s.collection.join('/'), this.ctx.resource);
    const resolved = property(this.ctx.resource, s.collection);
    if (!resolved) throw noSuchProperty(s.collection.join('/'), this.ctx.resource);
    const { top, members } = resolved;
    if (!top.collection || members.length) throw unsupportedClause(s.collection.join('/'), this.ctx.resource);
    if (!top.filter.length) throw unsupportedClause(top.name, this.ctx.resource);
    if (negated && !top.filter.includes('not')) throw unsupportedClause(top.name, this.ctx.resource);
    if (!s.body || !s.variable) {
      const zero: ValueTest = { kind: 'eq', value: MARK + encodeNumber(0) };
      return { kind: 'test', prop: `${top.name}/$count`, mode: 'one', test: { kind: 'not', operand: zero } };
    }
    const body = this.bool(s.body, negated, { variable: s.variable, collection: s.collection, top, op: s.op });
    return fuse(body, s.op) ?? (() => {
      throw unsupportedClause(top.name, this.ctx.resource);
    })();
  }
}

/**
 * A lambda body becomes one test per element, so all its leaves must test the same index property; `any(a or b)`
 * and `all(a and b)` split first. Returns undefined when the body cannot be expressed.
 */
function fuse(body: Filter, op: 'any' | 'all'): Filter | undefined {
  const single = asValueTest(body);
  if (single) return { kind: 'test', prop: single.prop, mode: op, test: single.test };
  if (body.kind === (op === 'any' ? 'or' : 'and')) {
    const l = fuse(body.left, op);
    const r = fuse(body.right, op);
    return l && r ? { kind: body.kind, left: l, right: r } : undefined;
  }
  return undefined;
}

function asValueTest(f: Filter): { prop: string; test: ValueTest } | undefined {
  switch (f.kind) {
    case 'test':
      return { prop: f.prop, test: f.test };
    case 'const':
      return undefined;
    case 'not': {
      const inner = asValueTest(f.operand);
      return inner && { prop: inner.prop, test: { kind: 'not', operand: inner.test } };
    }
    default: {
      const l = asValueTest(f.left);
      const r = asValueTest(f.right);
      if (!l || !r || l.prop !== r.prop) return undefined;
      return { prop: l.prop, test: { kind: f.kind, left: l.test, right: r.test } };
    }
  }
}

function literalTypeName(lit: Literal): string {
  switch (lit.kind) {
    case 'string':
      return 'Edm.String';
    case 'number':
      return Number.isInteger(lit.value) ? 'Edm.Int32' : 'Edm.Double';
    case 'boolean':
      return 'Edm.Boolean';
    case 'guid':
      return 'Edm.Guid';
    case 'dateTime':
      return 'Edm.DateTimeOffset';
    case 'date':
      return 'Edm.Date';
    default:
      return 'null';
  }
}

/**
 * $search: tokenized prefix match on properties the table marks searchable (displayName, description); other
 * string properties that support startsWith fall back to a startsWith test (graph-notes §2).
 */
export function bindSearch(s: SearchSyntax, ctx: BindContext): Filter {
  if (s.kind !== 'term') return { kind: s.kind, left: bindSearch(s.left, ctx), right: bindSearch(s.right, ctx) };
  const resolved = property(ctx.resource, s.property);
  if (!resolved || resolved.members.length) throw noSuchProperty(s.property, ctx.resource);
  const top = resolved.top;
  if (top.search && top.type === 'Edm.String' && !top.collection) {
    const tokens = searchTokens(s.text, false);
    if (!tokens.length) return { kind: 'const', value: true };
    return tokens
      .map((tok): Filter => ({ kind: 'test', prop: `${top.name}/$search`, mode: 'any', test: { kind: 'prefix', value: MARK + tok } }))
      .reduce((left, right) => ({ kind: 'and', left, right }));
  }
  if (top.filter.includes('startsWith') && top.type === 'Edm.String') {
    return { kind: 'test', prop: top.name, mode: top.collection ? 'any' : 'one', test: { kind: 'prefix', value: encodeText(s.text) } };
  }
  throw unsupportedQuery(`Search is not supported for property '${s.property}' of resource '${resourceDisplayName(ctx.resource)}'.`);
}
