// Fuzz: whatever the query string, parsing fails only with a 4xx GraphError (never a 5xx or a raw exception).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphError } from '../../src/graph/errors.js';
import { parseQuery } from '../../src/odata/parse-query.js';
import { evaluate } from '../../src/odata/evaluate.js';

const FRAGMENTS = [
  'displayName', 'physicalIds', 'assignedLicenses', 'extensionAttributes/extensionAttribute1', 'x/skuId', 'p', 'id', 'accountEnabled',
  ' eq ', ' ne ', ' gt ', ' le ', ' in ', ' and ', ' or ', 'not ', ' has ', '/any(', '/all(', 'x:', 'p:', '/$count', '(', ')', ',', "'", "''",
  "'a'", 'null', 'true', '45715bb8-13f9-4bb7-a7c2-1c6d1a3c3f1f', '2024-01-01T00:00:00Z', '2024-13-45', '1', '-1.5e3', 'startswith(', 'endsWith(',
  'contains(', '"', ':', '$', '\u0000', '😀', ' ',
];
const soup = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 14 }).map((a) => a.join(''));
const anyText = fc.oneof(soup, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }));
const OPTIONS = ['$filter', '$select', '$orderby', '$top', '$skip', '$count', '$search', '$expand', '$skiptoken', '$format'];

describe('fuzzed query strings', () => {
  it('produce a query or a 400 GraphError, for every resource', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('device', 'user', 'group', 'educationUser', 'educationClass', 'educationSchool', 'administrativeUnit', 'orgContact', 'servicePrincipal', 'usageRight', 'directoryObject'),
        fc.dictionary(fc.constantFrom(...OPTIONS), anyText, { maxKeys: 4 }),
        fc.boolean(),
        (resource, params, eventual) => {
          try {
            const q = parseQuery(params, { resource, consistencyLevelEventual: eventual });
            // A query that parses must also evaluate without throwing.
            evaluate(q.filter, { id: 'x', displayName: 'a', physicalIds: ['p'] }, resource);
          } catch (e) {
            expect(e).toBeInstanceOf(GraphError);
            expect((e as GraphError).status).toBeGreaterThanOrEqual(400);
            expect((e as GraphError).status).toBeLessThan(500);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});
