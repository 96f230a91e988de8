// Graph query options → ODataQuery, with Graph's validation rules and error messages (graph-notes §2).
import type { ExpandItem, ODataQuery, OrderBy } from './ast.js';
import { bindFilter, bindSearch, noSuchProperty, type AdvancedUse, type BindContext } from './bind.js';
import { parseFilter } from './filter-parser.js';
import { parseSearch } from './search-parser.js';
import { checkFilterCost, checkSearchCost } from './limits.js';
import { badRequest, GraphError, unsupportedQuery } from '../graph/errors.js';
import { hasResource, resource as resourceMeta, resourceDisplayName, selectableProperties, topProperty } from '../schema/resources.js';

export interface ParseOptions {
  /** Resource the query runs against: 'device', 'user', 'educationClass', … */
  resource: string;
  /** The request carried `ConsistencyLevel: eventual`. */
  consistencyLevelEventual: boolean;
  /** Largest $top accepted (Graph: 999). */
  maxTop?: number;
  /** false for a single entity (GET /devices/{id}): only $select and $expand apply, the rest is ignored. */
  collection?: boolean;
  /**
   * A directoryObject relationship (memberOf, members, owners, …): aad-advanced-queries.md lists these among the
   * relationships whose $filter, $orderby and $search run only as advanced queries.
   */
  relationship?: boolean;
}

export type QueryParams = Record<string, string | undefined>;

const ADVANCED_HINT =
  'Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information';

export const searchNeedsHeader = () =>
  unsupportedQuery("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'");

/** `GET …/$count` without ConsistencyLevel: eventual (graph-notes §2). */
export function assertCountSegmentAllowed(consistencyLevelEventual: boolean): void {
  if (!consistencyLevelEventual) throw badRequest('$count is not currently supported.');
}

function advancedError(use: AdvancedUse): GraphError {
  if (use.kind === 'search') return searchNeedsHeader();
  return unsupportedQuery(`Operator '${use.op}' is not supported because the required parameters might be missing. ${ADVANCED_HINT}`);
}

/** Looks a query option up by name, case-insensitively, with its `$`. */
function option(params: QueryParams, name: string): string | undefined {
  for (const [k, v] of Object.entries(params)) if (k.toLowerCase() === name) return v;
  return undefined;
}

export function parseQuery(params: QueryParams, opts: ParseOptions): ODataQuery {
  let empty = true;
  for (const _ in params) {
    empty = false;
    break;
  }
  if (empty) {
    // What the full parse below yields for no options at all: the common case of a keyed GET.
    if (!hasResource(opts.resource)) throw new GraphError(500, 'generalException', `Unknown resource '${opts.resource}'.`);
    return { resource: opts.resource, count: false, advanced: false };
  }
  if (opts.collection === false) {
    const only: QueryParams = {};
    for (const [k, v] of Object.entries(params)) if (/^\$(select|expand)$/i.test(k)) only[k] = v;
    params = only;
  }
  if (!hasResource(opts.resource)) throw new GraphError(500, 'generalException', `Unknown resource '${opts.resource}'.`);
  const meta = resourceMeta(opts.resource);
  const resource = opts.resource;
  const maxTop = opts.maxTop ?? 999;

  const countRaw = option(params, '$count');
  if (countRaw !== undefined && !/^(true|false)$/i.test(countRaw)) throw badRequest(`Invalid value '${countRaw}' for $count; expected true or false.`);
  const countTrue = countRaw !== undefined && countRaw.toLowerCase() === 'true';
  const advanced = opts.consistencyLevelEventual && countTrue;
  const query: ODataQuery = { resource, count: advanced, advanced };
  const ctx: BindContext = { resource, advancedUses: [] };

  const top = option(params, '$top');
  if (top !== undefined) {
    const n = /^\s*\d{1,9}\s*$/.test(top) ? Number(top) : NaN;
    if (!(n >= 1 && n <= maxTop)) throw unsupportedQuery(`Invalid page size specified: '${top}'. Must be between 1 and ${maxTop} inclusive.`);
    query.top = n;
  }

  const skip = option(params, '$skip');
  if (skip !== undefined) {
    if (meta.directoryBacked) throw badRequest("'$skip' is not supported by the service.");
    if (!/^\s*\d{1,9}\s*$/.test(skip)) throw badRequest(`Invalid value '${skip}' for $skip.`);
    query.skip = Number(skip);
  }

  const select = option(params, '$select');
  if (select !== undefined) {
    const names = select.split(',').map((s) => s.trim()).filter(Boolean);
    const selectable = new Set(selectableProperties(resource));
    const out: string[] = [];
    for (const name of names) {
      if (name === '*') out.push(...selectable);
      else if (!selectable.has(name)) throw noSuchProperty(name, resource);
      else out.push(name);
    }
    query.select = [...new Set(out)];
  }

  const filter = option(params, '$filter');
  if (filter !== undefined) {
    const syntax = parseFilter(filter);
    checkFilterCost(syntax, advanced);
    query.filter = bindFilter(syntax, ctx);
  }

  const search = option(params, '$search');
  if (search !== undefined) {
    if (!opts.consistencyLevelEventual) throw searchNeedsHeader();
    const text = search.trim();
    // The header alone enables $search; its error names only the header (graph-notes §2).
    const syntax = parseSearch(text);
    checkSearchCost(syntax);
    query.search = bindSearch(syntax, ctx);
  }

  const orderby = option(params, '$orderby');
  if (orderby !== undefined) {
    query.orderby = parseOrderBy(orderby, resource);
    const prop = topProperty(resource, query.orderby.prop)!;
    if (prop.orderbyAdvanced || query.filter) {
      // graph-notes §2: $filter with $orderby is always advanced; some device sort keys are advanced.
      if (!advanced) throw unsupportedQuery('Sorting not supported for current query.');
    }
  }

  const expand = option(params, '$expand');
  if (expand !== undefined) query.expand = parseExpand(expand, resource);

  const skiptoken = option(params, '$skiptoken');
  if (skiptoken !== undefined) query.skiptoken = skiptoken;

  if (!advanced) {
    const use = ctx.advancedUses.find((u) => u.kind === 'operator') ?? ctx.advancedUses[0];
    if (use) throw advancedError(use);
    if (opts.relationship && query.filter) throw unsupportedQuery('The specified filter to the reference property query is currently not supported.');
    if (opts.relationship && query.orderby) throw unsupportedQuery('Sorting not supported for current query.');
  }
  if (query.expand && (ctx.advancedUses.length || query.search || (query.orderby && query.filter))) {
    // graph-notes §2: $expand is not supported with advanced queries.
    throw unsupportedQuery('$expand is not supported with advanced queries.');
  }
  return query;
}

function parseOrderBy(text: string, resource: string): OrderBy {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length !== 1) {
    if (!items.length) throw badRequest('$orderby is empty.');
    throw unsupportedQuery('Sorting by more than one property is not supported.');
  }
  const m = /^([A-Za-z_][\w]*)(?:\s+(asc|desc))?$/i.exec(items[0]);
  if (!m) throw badRequest(`Invalid $orderby clause '${items[0]}'.`);
  const prop = topProperty(resource, m[1]);
  if (!prop) throw noSuchProperty(m[1], resource);
  if (!prop.orderby || prop.collection || prop.kind === 'complex') {
    throw unsupportedQuery(`Sorting by property '${m[1]}' of resource '${resourceDisplayName(resource)}' is not supported.`);
  }
  return { prop: prop.name, desc: (m[2] ?? 'asc').toLowerCase() === 'desc' };
}

function parseExpand(text: string, resource: string): ExpandItem[] {
  const nav = resourceMeta(resource).navigation;
  const out: ExpandItem[] = [];
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    // graph-notes §2: no nested $filter / $select inside $expand, one level only.
    if (/[()/]/.test(raw)) throw badRequest(`Query options inside $expand are not supported: '${raw}'.`);
    if (!Object.prototype.hasOwnProperty.call(nav, raw)) throw noSuchProperty(raw, resource);
    out.push({ name: raw });
  }
  return out;
}
