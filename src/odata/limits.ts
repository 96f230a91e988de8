// Cost limits on parsed queries, as Graph has them: a query that would make the store work through a huge
// expression is refused before it reaches the store.
// - Learn, filter-query-parameter.md: with `in`, "the request is limited to 15 expressions in the filter clause by
//   default" (a longer list needs advanced queries); Graph refuses with "Too many child clauses …".
// - Graph's OData layer caps the expression tree at 100 nodes ("The node count limit of '100' has been exceeded.").
// $search expressions get the same node budget (a cost limit: Graph documents no term count for directory objects).
import type { Syntax } from './ast.js';
import type { SearchSyntax } from './search-parser.js';
import { badRequest, unsupportedQuery } from '../graph/errors.js';

export const MAX_FILTER_NODES = 100;
export const MAX_IN_EXPRESSIONS = 15;

function nodes(s: Syntax): number {
  switch (s.kind) {
    case 'literal':
    case 'path':
      return 1;
    case 'and':
    case 'or':
    case 'compare':
      return 1 + nodes(s.left) + nodes(s.right);
    case 'in':
      return 1 + nodes(s.left) + s.items.reduce((n, i) => n + nodes(i), 0);
    case 'not':
      return 1 + nodes(s.operand);
    case 'call':
      return 1 + s.args.reduce((n, a) => n + nodes(a), 0);
    case 'lambda':
      return 1 + (s.body ? nodes(s.body) : 0);
  }
}

/** Leaf expressions of the clause, each item of an `in` list counting as one (it is one OR-ed comparison). */
function expressions(s: Syntax): { count: number; usesIn: boolean } {
  switch (s.kind) {
    case 'and':
    case 'or': {
      const l = expressions(s.left);
      const r = expressions(s.right);
      return { count: l.count + r.count, usesIn: l.usesIn || r.usesIn };
    }
    case 'not':
      return expressions(s.operand);
    case 'in':
      return { count: s.items.length, usesIn: true };
    default:
      return { count: 1, usesIn: false };
  }
}

const nodeLimit = () => badRequest(`The query specified in the URI is not valid. The node count limit of '${MAX_FILTER_NODES}' has been exceeded.`, 'BadRequest');

export function checkFilterCost(s: Syntax, advanced: boolean): void {
  if (nodes(s) > MAX_FILTER_NODES) throw nodeLimit();
  if (advanced) return;
  const { count, usesIn } = expressions(s);
  if (usesIn && count > MAX_IN_EXPRESSIONS)
    throw unsupportedQuery(`Too many child clauses specified in search filter expression containing 'OR' operators: ${count}. Max allowed: ${MAX_IN_EXPRESSIONS}.`);
}

function searchNodes(s: SearchSyntax): number {
  return s.kind === 'term' ? 1 : 1 + searchNodes(s.left) + searchNodes(s.right);
}

export function checkSearchCost(s: SearchSyntax): void {
  if (searchNodes(s) > MAX_FILTER_NODES) throw nodeLimit();
}
