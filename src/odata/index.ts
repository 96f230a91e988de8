// The OData engine: Graph query options → typed AST → SQL over object_index, plus the in-memory evaluator.
//
//   parseQuery(params, { resource, consistencyLevelEventual, collection? }) → ODataQuery
//       $filter $select $orderby $top $skip $count $search $expand $skiptoken, validated against the capability
//       table (src/schema). Throws GraphError 400 (Request_BadRequest / Request_UnsupportedQuery) — never anything
//       else for bad input.
//   indexRows(resource, doc) → {prop, value}[]   the object_index rows of a document `{ id, ...props }`
//   listObjects(db, { resource, scope, query, pageSize, after?, count? }) → { rows, nextCursor?, count? }
//   countObjects(db, { resource, scope, query }) → number
//   encodeSkiptoken(cursor, key, fingerprint) / decodeSkiptoken(token, key, fingerprint) → cursor
//       signed opaque page tokens; decode throws GraphError 400 for malformed, tampered or foreign tokens.
//   evaluate(filter, doc, resource) / matches(query, doc) → boolean, the in-memory reference.
import type { ODataQuery } from './ast.js';
import { evaluate } from './evaluate.js';
import { decodeSkipToken, encodeSkipToken } from './skiptoken.js';

export type { ComparisonOp, ExpandItem, Filter, Literal, ODataQuery, OrderBy, Syntax, ValueTest } from './ast.js';
export { parseQuery, assertCountSegmentAllowed, type ParseOptions, type QueryParams } from './parse-query.js';
export { parseFilter } from './filter-parser.js';
export { parseSearch, type SearchSyntax } from './search-parser.js';
export { bindFilter, bindSearch } from './bind.js';
export { indexRows, indexEntries, type IndexRow } from './index-rows.js';
export { evaluate, testValue } from './evaluate.js';
export { filterSql, valueTestSql, conjuncts } from './sql.js';
export { encodeSkipToken, decodeSkipToken, queryFingerprint, invalidSkipToken } from './skiptoken.js';
export { encodeValue, normalizeText, normalizeDateTime, searchTokens } from './encode.js';
export { listObjects, countObjects, type Scope, type ListSpec, type ListResult, type Cursor } from '../directory/query.js';

/** Does the document satisfy the query's $filter and $search? */
export function matches(query: ODataQuery, doc: Record<string, unknown>): boolean {
  return evaluate(query.filter, doc, query.resource) && evaluate(query.search, doc, query.resource);
}

/** Signed page token for `cursor` (argument order as the Graph kit uses it). */
export function encodeSkiptoken(cursor: unknown, key: string | Buffer, fingerprint: string): string {
  return encodeSkipToken(cursor, fingerprint, key);
}

/** The cursor in a page token; GraphError 400 when it is malformed, tampered with or from another query. */
export function decodeSkiptoken(token: string, key: string | Buffer, fingerprint: string): unknown {
  return decodeSkipToken(token, fingerprint, key);
}
