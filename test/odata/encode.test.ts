import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareEncoded, encodeNumber, encodeValue, normalizeDateTime, prefixSuccessor, searchTokens } from '../../src/odata/encode.js';
import { absentValue, indexRows } from '../../src/odata/index-rows.js';
import { decodeSkipToken, encodeSkipToken } from '../../src/odata/skiptoken.js';
import { GraphError } from '../../src/graph/errors.js';

describe('index value encoding', () => {
  it('orders numbers, negatives included, as text', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }), (a, b) => {
        const c = compareEncoded(encodeNumber(a), encodeNumber(b));
        expect(Math.sign(c)).toBe(a === b ? 0 : a < b ? -1 : 1);
      }),
    );
  });

  it('normalises DateTimeOffsets to UTC so text order is time order', () => {
    expect(normalizeDateTime('2024-01-01T01:00:00+01:00')).toBe('2024-01-01T00:00:00.0000000Z');
    expect(normalizeDateTime('2024-01-01T00:00:00.1234567Z')).toBe('2024-01-01T00:00:00.1234567Z');
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (a, b) => {
        const c = compareEncoded(encodeValue('Edm.DateTimeOffset', a.toISOString()), encodeValue('Edm.DateTimeOffset', b.toISOString()));
        expect(Math.sign(c)).toBe(Math.sign(a.getTime() - b.getTime()));
      }),
    );
  });

  it('prefix successor bounds exactly the strings with the prefix (code point order)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 4 }), fc.string({ unit: 'grapheme', maxLength: 4 }), (p, s) => {
        const up = prefixSuccessor(p);
        const inRange = compareEncoded(s, p) >= 0 && (up === undefined || compareEncoded(s, up) < 0);
        expect(inRange).toBe(s.startsWith(p));
      }),
    );
  });

  it('makes strings case-insensitive, nulls distinct from empty strings, GUIDs lower-case', () => {
    expect(encodeValue('Edm.String', 'ABC')).toBe(encodeValue('Edm.String', 'abc'));
    expect(encodeValue('Edm.String', '')).not.toBe(encodeValue('Edm.String', null));
    expect(encodeValue('Edm.Guid', 'C7DF2760-2C81-4EF7-B578-5B5392B571DF')).toBe('=c7df2760-2c81-4ef7-b578-5b5392b571df');
  });

  it('tokenizes $search text as graph-notes §2 describes', () => {
    expect(searchTokens('HelloWorld', false)).toEqual(['hello', 'world']);
    expect(searchTokens('HELLOworld', false)).toEqual(['helloworld']);
    expect(searchTokens('hello.world', true).sort()).toEqual(['.', 'hello', 'helloworld', 'world'].sort());
    expect(searchTokens('abc123', false)).toEqual(['abc', '123']);
  });

  it('indexes complex members, collection elements and counts', () => {
    const rows = indexRows('user', { id: 'U1', displayName: null, assignedLicenses: [{ skuId: 'AA000000-0000-0000-0000-000000000000', disabledPlans: [] }], proxyAddresses: ['SMTP:a@b.c'] });
    expect(rows).toContainEqual({ prop: 'assignedLicenses/skuId', value: '=aa000000-0000-0000-0000-000000000000' });
    expect(rows).toContainEqual({ prop: 'assignedLicenses/$count', value: '=' + encodeNumber(1) });
    expect(rows).toContainEqual({ prop: 'proxyAddresses', value: '=smtp:a@b.c' });
    expect(rows).toContainEqual({ prop: 'proxyAddresses/$reverse', value: '=c.b@a:ptms' });
    expect(rows).toContainEqual({ prop: 'displayName', value: '' });
    expect(rows).toContainEqual({ prop: 'id', value: '=u1' });
    // Only capability-table properties are indexed: aboutMe is select-only and not filterable.
    expect(rows.some((r) => r.prop.startsWith('aboutMe'))).toBe(false);
  });

  it('writes no row for a null or zero-count value, except for sortable scalars', () => {
    const rows = indexRows('user', { id: 'U1', displayName: null, city: null, onPremisesExtensionAttributes: { extensionAttribute1: null }, businessPhones: [] });
    const props = rows.map((r) => r.prop);
    expect(props).toContain('displayName'); // sortable: $orderby walks one row per user
    expect(props).not.toContain('city');
    expect(props).not.toContain('onPremisesExtensionAttributes/extensionAttribute1');
    expect(props).not.toContain('businessPhones/$count');
    expect(absentValue('businessPhones/$count')).toBe('=' + encodeNumber(0));
    expect(absentValue('city')).toBe('');
  });
});

describe('$skiptoken', () => {
  const key = Buffer.from('k'.repeat(32));
  it('round-trips and is URL-safe', () => {
    const t = encodeSkipToken({ v: '=x', id: 'abc' }, 'fp', key);
    expect(t).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(decodeSkipToken(t, 'fp', key)).toEqual({ v: '=x', id: 'abc' });
  });
  it('rejects tampered, foreign-query, wrong-key and garbage tokens with a 400 GraphError', () => {
    const t = encodeSkipToken({ id: 'abc' }, 'fp', key);
    const tampered = (t[0] === 'A' ? 'B' : 'A') + t.slice(1);
    for (const [token, fp, k] of [[tampered, 'fp', key], [t, 'other', key], [t, 'fp', Buffer.from('x')], ['%%%', 'fp', key], ['', 'fp', key]] as const) {
      try {
        decodeSkipToken(token, fp, k);
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(GraphError);
        expect((e as GraphError).status).toBe(400);
        expect((e as GraphError).code).toBe('Request_BadRequest');
      }
    }
  });
});
