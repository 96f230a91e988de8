// Search criteria as the Adaxes criteria editor copies them: object types, each with an optional tree of groups
// (type 1; logicalOperator 1 = AND, 2 = OR) and conditions (type 0; property, operator, values). A condition's
// values combine by OR unless valueLogicalOperator is 1 (AND). Text comparisons ignore case.
import { badRequest } from './errors.js';

interface Condition {
  type: 0;
  property: string;
  operator: string;
  values?: { type?: number; value: unknown }[] | unknown[];
  valueLogicalOperator?: number;
}
interface Group {
  type: 1;
  logicalOperator?: number;
  items?: Node[];
}
type Node = Condition | Group;

export interface Criteria {
  objectTypes?: { type: string; items?: Node }[];
}

export type Reader = (property: string) => unknown[];

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v)).toLowerCase();

const valueOf = (v: unknown) => (v && typeof v === 'object' && 'value' in (v as object) ? (v as { value: unknown }).value : v);

function compare(op: string, actual: unknown[], expected: unknown): boolean {
  const e = text(expected);
  const num = (x: unknown) => Number(x);
  switch (op.toLowerCase()) {
    case 'eq':
      return actual.some((a) => text(a) === e);
    case 'ne':
      return !actual.some((a) => text(a) === e);
    case 'startswith':
      return actual.some((a) => text(a).startsWith(e));
    case 'notstartswith':
      return !actual.some((a) => text(a).startsWith(e));
    case 'endswith':
      return actual.some((a) => text(a).endsWith(e));
    case 'notendswith':
      return !actual.some((a) => text(a).endsWith(e));
    case 'contains':
      return actual.some((a) => text(a).includes(e));
    case 'notcontains':
      return !actual.some((a) => text(a).includes(e));
    case 'gt':
      return actual.some((a) => num(a) > num(expected) || (Number.isNaN(num(a)) && text(a) > e));
    case 'ge':
      return actual.some((a) => num(a) >= num(expected) || (Number.isNaN(num(a)) && text(a) >= e));
    case 'lt':
      return actual.some((a) => num(a) < num(expected) || (Number.isNaN(num(a)) && text(a) < e));
    case 'le':
      return actual.some((a) => num(a) <= num(expected) || (Number.isNaN(num(a)) && text(a) <= e));
    default:
      throw badRequest(`The search operator '${op}' is not supported.`);
  }
}

function evaluate(node: Node, read: Reader): boolean {
  if (node.type === 1) {
    const items = node.items ?? [];
    return node.logicalOperator === 2 ? items.length === 0 || items.some((i) => evaluate(i, read)) : items.every((i) => evaluate(i, read));
  }
  if (node.type !== 0 || typeof node.property !== 'string' || typeof node.operator !== 'string') throw badRequest('A search condition needs type 0, a property and an operator.');
  const actual = read(node.property).filter((v) => v !== null && v !== undefined && v !== '');
  const op = node.operator.toLowerCase();
  if (op === 'empty') return actual.length === 0;
  if (op === 'notempty') return actual.length > 0;
  const values = (node.values ?? []).map(valueOf);
  if (!values.length) throw badRequest(`The search condition on '${node.property}' has no values.`);
  return node.valueLogicalOperator === 1 ? values.every((v) => compare(op, actual, v)) : values.some((v) => compare(op, actual, v));
}

/** Every property name a criteria tree reads (to fetch linked values such as memberOf only when needed). */
export function criteriaProperties(c: Criteria | undefined): string[] {
  const out: string[] = [];
  const walk = (n: Node | undefined) => {
    if (!n) return;
    if (n.type === 0) out.push(String(n.property).toLowerCase());
    else for (const i of n.items ?? []) walk(i);
  };
  for (const t of c?.objectTypes ?? []) walk(t.items);
  return out;
}

export function matchesCriteria(c: Criteria | undefined, objectType: string, read: Reader): boolean {
  const types = c?.objectTypes;
  if (!types?.length) return true;
  return types.some((t) => String(t.type).toLowerCase() === objectType.toLowerCase() && (!t.items || evaluate(t.items, read)));
}
