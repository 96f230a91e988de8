import { describe, expect, it } from 'vitest';
import { GraphError } from '../../src/graph/errors.js';
import { parseFilter } from '../../src/odata/filter-parser.js';
import { parseQuery } from '../../src/odata/parse-query.js';
import { parseSearch } from '../../src/odata/search-parser.js';

const parse = (params: Record<string, string>, resource = 'device', eventual = false) => parseQuery(params, { resource, consistencyLevelEventual: eventual });
const adv = (params: Record<string, string>, resource = 'device') => parse({ ...params, $count: 'true' }, resource, true);

function graphError(fn: () => unknown): GraphError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GraphError);
    return e as GraphError;
  }
  throw new Error('expected a GraphError');
}

describe('$filter syntax', () => {
  it('parses comparisons, escaped quotes, GUID / DateTimeOffset / boolean literals and precedence', () => {
    expect(parseFilter("displayName eq 'O''Brien'")).toEqual({
      kind: 'compare', op: 'eq', left: { kind: 'path', segments: ['displayName'] }, right: { kind: 'literal', literal: { kind: 'string', value: "O'Brien" } },
    });
    const t = parseFilter('a eq 45715BB8-13f9-4bb7-a7c2-1c6d1a3c3f1f or b ge 2024-01-01T00:00:00Z and not c eq true');
    expect(t.kind).toBe('or');
    if (t.kind !== 'or') return;
    expect(t.left).toMatchObject({ right: { literal: { kind: 'guid', value: '45715bb8-13f9-4bb7-a7c2-1c6d1a3c3f1f' } } });
    expect(t.right).toMatchObject({ kind: 'and', left: { right: { literal: { kind: 'dateTime' } } }, right: { kind: 'not' } });
  });

  it('parses lambdas, /$count, nested paths, in-lists and case-insensitive functions', () => {
    expect(parseFilter("proxyAddresses/any(p:StartsWith(p,'smtp:'))")).toMatchObject({
      kind: 'lambda', op: 'any', collection: ['proxyAddresses'], variable: 'p', body: { kind: 'call', name: 'startswith' },
    });
    expect(parseFilter('physicalIds/$count ne 0')).toMatchObject({ left: { segments: ['physicalIds', '$count'] } });
    expect(parseFilter("extensionAttributes/extensionAttribute1 in ('a','b')")).toMatchObject({ kind: 'in', items: [{}, {}] });
  });

  it.each(["displayName eq 'open", 'displayName eq', '(a eq 1', "startswith(displayName,'x'", 'a eq 1 1', '', '@', 'x/any(p p eq 1)'])(
    'rejects %j with a 400 GraphError',
    (f) => {
      const e = graphError(() => parseFilter(f));
      expect(e.status).toBe(400);
      expect(e.code).toBe('Request_BadRequest');
    },
  );

  it('refuses deeply nested input instead of overflowing the stack', () => {
    const e = graphError(() => parseFilter('('.repeat(5000) + 'a eq 1' + ')'.repeat(5000)));
    expect(e.status).toBe(400);
  });
});

describe('validation against the capability table', () => {
  it('binds default-capable filters without the header', () => {
    const q = parse({ $filter: "startswith(displayName,'Lap')", $top: '100' });
    expect(q.filter).toEqual({ kind: 'test', prop: 'displayName', mode: 'one', test: { kind: 'prefix', value: '=lap' } });
    expect(q.top).toBe(100);
    expect(parse({ $filter: 'assignedLicenses/any(x:x/skuId eq 45715bb8-13f9-4bb7-a7c2-1c6d1a3c3f1f)' }, 'user').filter).toMatchObject({
      prop: 'assignedLicenses/skuId', mode: 'any', test: { kind: 'eq', value: '=45715bb8-13f9-4bb7-a7c2-1c6d1a3c3f1f' },
    });
  });

  it('rejects an operator the property does not support with Graph\'s message', () => {
    const e = graphError(() => parse({ $filter: "startswith(accountEnabled,'t')" }));
    expect(e.code).toBe('Request_UnsupportedQuery');
    // directory-objects-filter.md (Device properties) does not list deviceMetadata, nor does the seed: no $filter at all.
    const e2 = graphError(() => parse({ $filter: "deviceMetadata eq 'Contoso'" }));
    expect(e2.message).toBe("Unsupported or invalid query filter clause specified for property 'deviceMetadata' of resource 'Device'.");
    expect(graphError(() => adv({ $filter: "endswith(displayName,'x')" })).code).toBe('Request_UnsupportedQuery');
  });

  it('requires ConsistencyLevel: eventual and $count=true for advanced operators', () => {
    for (const f of ["displayName ne 'x'", "not(displayName eq 'x')", 'physicalIds/$count eq 0', 'displayName eq null', "endswith(mail,'.com')", "extensionAttributes/extensionAttribute1 eq 'x'"]) {
      const resource = f.includes('mail') ? 'user' : 'device';
      const e = graphError(() => parse({ $filter: f }, resource));
      expect(e.code, f).toBe('Request_UnsupportedQuery');
      expect(e.message, f).toMatch(/^Operator '.*' is not supported because the required parameters might be missing\. Try adding \$count=true/);
      expect(graphError(() => parse({ $filter: f }, resource, true)).code, `${f} with header only`).toBe('Request_UnsupportedQuery');
      expect(adv({ $filter: f }, resource).filter, f).toBeDefined();
    }
  });

  it('treats $filter with $orderby as advanced', () => {
    expect(graphError(() => parse({ $filter: "displayName eq 'a'", $orderby: 'displayName' }, 'user')).message).toBe('Sorting not supported for current query.');
    expect(adv({ $filter: "displayName eq 'a'", $orderby: 'displayName desc' }, 'user').orderby).toEqual({ prop: 'displayName', desc: true });
    expect(parse({ $orderby: 'userPrincipalName' }, 'user').orderby).toEqual({ prop: 'userPrincipalName', desc: false });
  });

  it('rejects unknown $select properties, bad $top, and $skip on directory objects', () => {
    expect(graphError(() => parse({ $select: 'id,foo' })).message).toBe("Could not find a property named 'foo' on type 'microsoft.graph.device'.");
    expect(parse({ $select: 'id,extensionAttributes,displayName' }).select).toEqual(['id', 'extensionAttributes', 'displayName']);
    const top = graphError(() => parse({ $top: '1000' }));
    expect([top.code, top.message]).toEqual(['Request_UnsupportedQuery', "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive."]);
    expect(graphError(() => parse({ $top: '0' })).code).toBe('Request_UnsupportedQuery');
    const skip = graphError(() => parse({ $skip: '5' }));
    expect([skip.code, skip.message]).toEqual(['Request_BadRequest', "'$skip' is not supported by the service."]);
    expect(parse({ $skip: '5' }, 'usageRight').skip).toBe(5);
  });

  it('ignores $count=true without the header, honours it with the header', () => {
    expect(parse({ $count: 'true' }).count).toBe(false);
    expect(parse({ $count: 'true' }, 'device', true).count).toBe(true);
  });

  it('needs the header for $search and binds tokens to prefix tests', () => {
    const e = graphError(() => parse({ $search: '"displayName:foo"' }));
    expect(e.message).toBe("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'");
    const q = parse({ $search: '"displayName:HelloWorld"' }, 'device', true);
    expect(q.search).toEqual({
      kind: 'and',
      left: { kind: 'test', prop: 'displayName/$search', mode: 'any', test: { kind: 'prefix', value: '=hello' } },
      right: { kind: 'test', prop: 'displayName/$search', mode: 'any', test: { kind: 'prefix', value: '=world' } },
    });
    expect(parse({ $search: '"userPrincipalName:ad"' }, 'user', true).search).toMatchObject({ prop: 'userPrincipalName', test: { kind: 'prefix', value: '=ad' } });
  });

  it('validates $expand against the navigation properties', () => {
    expect(parse({ $expand: 'registeredOwners' }).expand).toEqual([{ name: 'registeredOwners' }]);
    expect(graphError(() => parse({ $expand: 'nope' })).code).toBe('Request_BadRequest');
    expect(graphError(() => parse({ $expand: 'memberOf($select=id)' })).code).toBe('Request_BadRequest');
  });

  it('rejects literals of the wrong type', () => {
    expect(graphError(() => parse({ $filter: "accountEnabled eq 'true'" })).message).toMatch(/incompatible types/);
    expect(graphError(() => adv({ $filter: "registrationDateTime ge 'yesterday'" })).code).toBe('Request_BadRequest');
  });
});

describe('$search syntax', () => {
  it('parses quoted clauses with AND / OR, parentheses and escapes', () => {
    expect(parseSearch('"displayName:a\\"b" AND ("description:c" OR "displayName:d")')).toEqual({
      kind: 'and',
      left: { kind: 'term', property: 'displayName', text: 'a"b' },
      right: { kind: 'or', left: { kind: 'term', property: 'description', text: 'c' }, right: { kind: 'term', property: 'displayName', text: 'd' } },
    });
    expect(graphError(() => parseSearch('displayName:foo')).status).toBe(400);
    expect(graphError(() => parseSearch('"foo"')).status).toBe(400);
  });
});
