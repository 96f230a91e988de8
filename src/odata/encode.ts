// Index value encoding: one text value per (property, value) whose byte-wise order and equality are Graph's
// comparison semantics, so the same SQL works on SQLite (binary) and PostgreSQL (collate "C").
//
// - null (or absent, or a value of the wrong JSON type) is '' and every non-null value starts with '=', so
//   `eq null` is `value = ''` and ranges start at '=' to leave nulls out.
// - strings and enums: lower-cased (Graph compares case-insensitively), lone surrogates → U+FFFD and NUL → U+0001
//   (neither survives UTF-8 / PostgreSQL text), cut to MAX_TEXT code points so a btree key stays under
//   PostgreSQL's ~2.7 kB limit even with 4-byte characters.
// - GUIDs lower-case; booleans 'false' < 'true'.
// - numbers: the IEEE-754 bits of the double, sign-flipped so unsigned order equals numeric order, as 16 hex digits.
// - DateTimeOffset: UTC 'YYYY-MM-DDTHH:MM:SS.fffffffZ' (fixed width, so text order is time order); Edm.Date as is.
// Both engines compare UTF-8 bytes, which is code point order; `compareEncoded` is the same order in JS.
export const NULL_VALUE = '';
export const MARK = '=';
export const MAX_TEXT = 600;

const NUMERIC = new Set(['Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Byte', 'Edm.SByte', 'Edm.Double', 'Edm.Single', 'Edm.Decimal']);
const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isNumericType(type: string) {
  return NUMERIC.has(type);
}

export function isGuid(s: string) {
  return GUID_RE.test(s);
}

/** Text made safe for both engines and case-folded the way Graph compares strings. */
export function normalizeText(s: string): string {
  const folded = s
    .toLowerCase()
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/\u0000/g, '\u0001');
  if (folded.length <= MAX_TEXT) return folded;
  return Array.from(folded).slice(0, MAX_TEXT).join('');
}

export function encodeNumber(n: number): string {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, n === 0 ? 0 : n);
  let hi = buf.getUint32(0);
  let lo = buf.getUint32(4);
  if (hi & 0x80000000) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else {
    hi = (hi | 0x80000000) >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

const DTO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*([Zz]|[+-]\d{2}:?\d{2})?$/;

/** Normalised UTC form of an ISO 8601 date-time, or undefined when it is not one. */
export function normalizeDateTime(s: string): string | undefined {
  const m = DTO_RE.exec(s.trim());
  if (!m) return undefined;
  const [y, mo, d, h = '0', mi = '0', sec = '0'] = m.slice(1, 7);
  const fraction = (m[7] ?? '').slice(0, 7).padEnd(7, '0');
  const zone = m[8];
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > 31 || +h > 23 || +mi > 59 || +sec > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(+y, +mo - 1, +d);
  date.setUTCHours(+h, +mi - offsetMinutes, +sec, 0);
  if (date.getUTCDate() !== +d && offsetMinutes === 0) return undefined; // 2024-02-31
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) return undefined;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(year, 4)}-${p(date.getUTCMonth() + 1)}-${p(date.getUTCDate())}T${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}.${fraction}Z`;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Encodes a JSON value of the given Edm/enum type. Returns NULL_VALUE for null, undefined, and values of the wrong
 * JSON type, so documents that are not quite right still index consistently with the evaluator.
 */
export function encodeValue(type: string, value: unknown): string {
  if (value === null || value === undefined) return NULL_VALUE;
  switch (type) {
    case 'Edm.Boolean':
      return typeof value === 'boolean' ? MARK + String(value) : NULL_VALUE;
    case 'Edm.Guid':
      return typeof value === 'string' ? MARK + normalizeText(value) : NULL_VALUE;
    case 'Edm.DateTimeOffset': {
      if (typeof value !== 'string') return NULL_VALUE;
      const n = normalizeDateTime(value);
      return MARK + (n ?? normalizeText(value));
    }
    case 'Edm.Date':
      return typeof value === 'string' ? MARK + (DATE_RE.test(value) ? value : normalizeText(value)) : NULL_VALUE;
    default:
      if (NUMERIC.has(type)) return typeof value === 'number' && Number.isFinite(value) ? MARK + encodeNumber(value) : NULL_VALUE;
      return typeof value === 'string' ? MARK + normalizeText(value) : NULL_VALUE;
  }
}

export function encodeText(s: string): string {
  return MARK + normalizeText(s);
}

/**
 * The least string greater than every string that starts with `prefix` (code point order), or undefined when
 * there is none. `value >= prefix AND value < successor` is then exactly "starts with".
 */
export function prefixSuccessor(prefix: string): string | undefined {
  const cps = Array.from(prefix).map((c) => c.codePointAt(0)!);
  while (cps.length) {
    let last = cps.pop()! + 1;
    if (last === 0xd800) last = 0xe000;
    if (last <= 0x10ffff) return String.fromCodePoint(...cps, last);
  }
  return undefined;
}

/** Code point (= UTF-8 byte) order, the order both engines use for the index. */
export function compareEncoded(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Reversed text (by code point) for endsWith, which becomes startsWith over reversed values. */
export function reverseText(s: string): string {
  return Array.from(s).reverse().join('');
}

/**
 * $search tokens (graph-notes §2): split on spaces, on a lower→upper case change, on symbols (each symbol is a
 * token) and between letters and digits; matching ignores case. `forDocument` also adds each word's letters and
 * digits run together (`hello.world` → helloworld), so a query typed without the separators still matches.
 */
export function searchTokens(text: string, forDocument: boolean): string[] {
  const out = new Set<string>();
  for (const word of text.split(/\s+/u)) {
    if (!word) continue;
    const parts: string[] = [];
    let alnum = '';
    let current = '';
    let currentKind = '';
    let prevLower = false;
    for (const ch of word) {
      const kind = /\p{L}|\p{M}/u.test(ch) ? 'L' : /\p{N}/u.test(ch) ? 'N' : 'S';
      const isUpper = kind === 'L' && ch !== ch.toLowerCase();
      const split = kind !== currentKind || kind === 'S' || (kind === 'L' && isUpper && prevLower);
      if (split && current) parts.push(current);
      if (split) current = '';
      current += ch;
      currentKind = kind;
      prevLower = kind === 'L' && ch !== ch.toUpperCase();
      if (kind !== 'S') alnum += ch;
    }
    if (current) parts.push(current);
    for (const p of parts) out.add(normalizeText(p));
    if (forDocument && parts.length > 1 && alnum) out.add(normalizeText(alnum));
  }
  return [...out];
}
