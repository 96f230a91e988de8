// Property: for random documents in a real store and random filters, listObjects (all pages) returns exactly the
// documents the in-memory evaluator selects, in the promised order, on SQLite and PostgreSQL.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countObjects } from '../../src/directory/query.js';
import { compareEncoded } from '../../src/odata/encode.js';
import { matches } from '../../src/odata/index.js';
import { indexEntries } from '../../src/odata/index-rows.js';
import { parseQuery } from '../../src/odata/parse-query.js';
import type { Store } from '../../src/store/open.js';
import { ENGINES } from '../support/stores.js';
import { isolatedStore, newId, walk, writeDocs, type Doc } from './helpers.js';

// Small alphabets so random filters hit random documents often: case variants, quotes, accents, emoji, a
// character above U+FFFF next to one just below it (UTF-16 vs UTF-8 order), separators for $search.
const PIECES = ['a', 'A', 'b', 'B', "'", 'é', 'É', 'ß', '😀', '\uFFFD', '\uFF21', ' ', '.', 'x1', 'Dev', 'dev'];
const text = fc.array(fc.constantFrom(...PIECES), { minLength: 0, maxLength: 4 }).map((a) => a.join(''));
const nonEmpty = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 3 }).map((a) => a.join(''));
const DATES = ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00.5Z', '2023-12-31T23:00:00-01:00', '1999-06-30T12:00:00Z', '2030-02-28T08:15:00Z'];
const SKUS = ['45715bb8-13f9-4bb7-a7c2-1c6d1a3c3f1f', 'C7DF2760-2C81-4EF7-B578-5B5392B571DF', '0000000a-0000-0000-0000-000000000000'];
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

const deviceDoc = fc.record({
  displayName: maybe(text),
  accountEnabled: maybe(fc.boolean()),
  operatingSystem: maybe(fc.constantFrom('Windows', 'windows', 'iOS', 'Android', 'Linux')),
  registrationDateTime: maybe(fc.constantFrom(...DATES)),
  physicalIds: fc.array(text, { maxLength: 3 }),
  extensionAttributes: fc.option(fc.record({ extensionAttribute1: maybe(text), extensionAttribute2: maybe(text) }), { nil: undefined }),
});

const userDoc = fc.record({
  displayName: maybe(text),
  userPrincipalName: nonEmpty.map((s) => `${s}@contoso.com`),
  mail: maybe(nonEmpty.map((s) => `${s}@${s.length % 2 ? 'contoso.com' : 'fabrikam.org'}`)),
  accountEnabled: maybe(fc.boolean()),
  proxyAddresses: fc.array(nonEmpty.map((s) => `smtp:${s}`), { maxLength: 2 }),
  assignedLicenses: fc.array(fc.record({ skuId: fc.constantFrom(...SKUS), disabledPlans: fc.constant([]) }), { maxLength: 2 }),
});

function leafArb(resource: 'device' | 'user', ids: string[]): fc.Arbitrary<string> {
  const common = [
    text.map((s) => `displayName eq ${q(s)}`),
    text.map((s) => `displayName ne ${q(s)}`),
    text.map((s) => `startswith(displayName,${q(s)})`),
    text.map((s) => `startsWith(displayName,${q(s)})`),
    text.map((s) => `displayName ge ${q(s)}`),
    text.map((s) => `displayName lt ${q(s)}`),
    fc.constant('displayName eq null'),
    fc.constant('displayName ne null'),
    fc.tuple(text, text).map(([a, b]) => `displayName in (${q(a)}, ${q(b)})`),
    fc.boolean().map((b) => `accountEnabled eq ${b}`),
    fc.boolean().map((b) => `accountEnabled ne ${b}`),
    fc.constantFrom(...ids).map((id) => `id eq ${q(id.toUpperCase())}`),
  ];
  if (resource === 'device') {
    return fc.oneof(
      ...common,
      fc.constantFrom('Windows', 'WINDOWS', 'win', 'Lin').map((s) => `startswith(operatingSystem,${q(s)})`),
      fc.constantFrom('windows', 'iOS').map((s) => `operatingSystem eq ${q(s)}`),
      fc.constantFrom(...DATES).map((d) => `registrationDateTime ge ${d}`),
      fc.constantFrom(...DATES).map((d) => `registrationDateTime le ${d}`),
      fc.constantFrom(...DATES).map((d) => `registrationDateTime eq ${d}`),
      fc.constant('registrationDateTime eq null'),
      text.map((s) => `physicalIds/any(p:p eq ${q(s)})`),
      text.map((s) => `physicalIds/any(p:startswith(p,${q(s)}))`),
      fc.tuple(text, text).map(([a, b]) => `physicalIds/any(p:p ge ${q(a)} and p le ${q(b)})`),
      fc.constant('physicalIds/$count eq 0'),
      fc.constant('physicalIds/$count ne 0'),
      fc.constant('physicalIds/any()'),
      text.map((s) => `not(physicalIds/any(p:p eq ${q(s)}))`),
      text.map((s) => `extensionAttributes/extensionAttribute1 eq ${q(s)}`),
      text.map((s) => `startswith(extensionAttributes/extensionAttribute1,${q(s)})`),
      fc.constant('extensionAttributes/extensionAttribute2 eq null'),
    );
  }
  return fc.oneof(
    ...common,
    fc.constantFrom(...SKUS).map((g) => `assignedLicenses/any(x:x/skuId eq ${g})`),
    fc.constant('assignedLicenses/$count eq 0'),
    nonEmpty.map((s) => `proxyAddresses/any(p:startswith(p,${q('smtp:' + s)}))`),
    fc.constantFrom('contoso.com', 'fabrikam.org', '.org', 'A@contoso.com').map((s) => `endswith(mail,${q(s)})`),
    nonEmpty.map((s) => `startswith(userPrincipalName,${q(s)})`),
    fc.constant('mail eq null'),
  );
}

function filterArb(resource: 'device' | 'user', ids: string[]): fc.Arbitrary<string> {
  const { tree } = fc.letrec<{ tree: string }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leafArb(resource, ids),
      fc.tuple(tie('tree'), tie('tree')).map(([a, b]) => `(${a}) and (${b})`),
      fc.tuple(tie('tree'), tie('tree')).map(([a, b]) => `(${a}) or ${b}`),
      tie('tree').map((a) => `not (${a})`),
    ),
  }));
  return tree;
}

const SORT: Record<string, string[]> = { device: ['displayName', 'approximateLastSignInDateTime'], user: ['displayName', 'userPrincipalName'] };

for (const engine of ENGINES) {
  describe(`listObjects equals the in-memory evaluator (${engine})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await isolatedStore(engine));
    });
    afterAll(async () => cleanup?.());

    for (const resource of ['device', 'user'] as const) {
      it(`${resource}: random documents, random filters, every page size`, async () => {
        const arb = resource === 'device' ? deviceDoc : userDoc;
        const docs: Doc[] = fc.sample(arb as fc.Arbitrary<Record<string, unknown>>, { numRuns: 70, seed: resource.length * 7919 }).map((d) => ({ id: newId(), ...d }));
        await writeDocs(store.db, resource, docs);
        const ids = docs.map((d) => d.id);
        let nonTrivial = 0;
        let accepted = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.option(filterArb(resource, ids), { nil: undefined, freq: 8 }),
            fc.option(fc.tuple(fc.constantFrom(...SORT[resource]), fc.boolean()), { nil: undefined }),
            fc.option(text.filter((s) => s.trim().length > 0), { nil: undefined, freq: 5 }),
            fc.integer({ min: 1, max: 25 }),
            async (filter, order, search, pageSize) => {
              const params: Record<string, string> = { $count: 'true' };
              if (filter) params.$filter = filter;
              if (order) params.$orderby = `${order[0]}${order[1] ? ' desc' : ''}`;
              if (search) params.$search = `"displayName:${search.replace(/["\\]/g, (c) => '\\' + c)}"`;
              let query;
              try {
                query = parseQuery(params, { resource, consistencyLevelEventual: true });
              } catch (e) {
                // Operators a property does not support are expected rejections, nothing else.
                expect((e as { code?: string }).code).toBe('Request_UnsupportedQuery');
                return;
              }
              accepted++;
              const expected = docs.filter((d) => matches(query, d));
              if (expected.length > 0 && expected.length < docs.length) nonTrivial++;
              const got = await walk(store.db, resource, query, pageSize);
              expect(new Set(got).size).toBe(got.length);
              expect([...got].sort()).toEqual(expected.map((d) => d.id).sort());
              if (query.orderby) {
                const key = (d: Doc) => indexEntries(resource, d).get(query.orderby!.prop)![0];
                // Ties come in the order the objects were created (their row keys): Graph leaves that order open.
                const sorted = [...expected].sort((a, b) => compareEncoded(key(a), key(b)) || docs.indexOf(a) - docs.indexOf(b));
                if (query.orderby.desc) sorted.reverse();
                expect(got).toEqual(sorted.map((d) => d.id));
              }
              expect(await countObjects(store.db, { resource, scope: { kind: 'all' }, query })).toBe(expected.length);
            },
          ),
          { numRuns: 150, seed: 424242 + resource.length },
        );
        // The generator must actually exercise selective filters, or the property proves little.
        expect(nonTrivial).toBeGreaterThan(30);
        expect(accepted).toBeGreaterThan(100);
      });
    }

    it('scope ids: only objects in the subquery, filtered and paged', async () => {
      const docs: Doc[] = Array.from({ length: 30 }, (_, i) => ({ id: newId(), displayName: `Scoped ${i % 3} ${i}`, physicalIds: [] }));
      await writeDocs(store.db, 'device', docs);
      const inScope = new Set(docs.filter((_, i) => i % 2 === 0).map((d) => d.id));
      const scope = { kind: 'ids' as const, ids: () => store.db.selectFrom('objects').select('id').where('id', 'in', [...inScope]) };
      const query = parseQuery({ $filter: "startswith(displayName,'scoped 1')" }, { resource: 'device', consistencyLevelEventual: false });
      const got = await walk(store.db, 'device', query, 2, scope);
      const expected = docs.filter((d) => inScope.has(d.id) && String(d.displayName).startsWith('Scoped 1')).map((d) => d.id);
      expect(expected.length).toBeGreaterThan(0);
      expect(got.sort()).toEqual(expected.sort());
    });
  });
}
