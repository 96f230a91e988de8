// Identities of directory objects: Graph ids (GUIDs), on-premises DNs, objectGUIDs and SIDs.
import { createHash, randomUUID } from 'node:crypto';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SID = /^S-1-[0-5]-\d+(-\d+){0,14}$/i;

export const isGuid = (s: string) => GUID.test(s);
export const isSid = (s: string) => SID.test(s);
export const newGuid = () => randomUUID();

/** A stable GUID derived from a name, so the demo tenant has the same ids on every machine (RFC 4122 v5 layout). */
export function nameGuid(name: string): string {
  const h = createHash('sha1').update('tenantbox:').update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Splits a DN into its RDNs, honouring backslash escapes and quoted values (RFC 4514). Returns null if malformed. */
export function parseDn(dn: string): { attr: string; value: string }[] | null {
  const rdns: { attr: string; value: string }[] = [];
  let i = 0;
  const s = dn.trim();
  if (!s) return null;
  while (i < s.length) {
    const eq = s.indexOf('=', i);
    if (eq < 0) return null;
    const attr = s.slice(i, eq).trim();
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(attr)) return null;
    i = eq + 1;
    let value = '';
    while (i < s.length && s[i] === ' ') i++;
    while (i < s.length && s[i] !== ',' && s[i] !== ';') {
      if (s[i] === '\\') {
        if (i + 1 >= s.length) return null;
        value += s[i + 1];
        i += 2;
      } else {
        value += s[i++];
      }
    }
    value = value.trim();
    if (!value) return null;
    rdns.push({ attr: attr.toUpperCase(), value });
    if (i < s.length) i++; // the separator
    if (i >= s.length && (s.endsWith(',') || s.endsWith(';'))) return null;
  }
  return rdns.length ? rdns : null;
}

const escapeDnValue = (v: string) => v.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');

/** Canonical lookup key for a DN: attribute types upper-cased, values lower-cased, no stray spaces. */
export function dnKey(dn: string): string | null {
  const rdns = parseDn(dn);
  return rdns ? rdns.map((r) => `${r.attr}=${escapeDnValue(r.value.toLowerCase())}`).join(',') : null;
}

export function makeDn(cn: string, container: string): string {
  return `CN=${escapeDnValue(cn)},${container}`;
}

/** The kind of identifier an Adaxes caller passed: DN, GUID (with or without braces) or SID. */
export type IdentifierKind = { kind: 'dn'; key: string } | { kind: 'guid'; guid: string } | { kind: 'sid'; sid: string };

export function classifyIdentifier(raw: string): IdentifierKind | null {
  const s = raw.trim();
  const unbraced = s.replace(/^\{(.*)\}$/, '$1');
  if (isGuid(unbraced)) return { kind: 'guid', guid: unbraced.toLowerCase() };
  if (/^S-\d/i.test(s)) return isSid(s) ? { kind: 'sid', sid: s.toUpperCase() } : null;
  const key = s.includes('=') ? dnKey(s) : null;
  return key ? { kind: 'dn', key } : null;
}

export function domainDn(domain: string): string {
  return domain.split('.').map((p) => `DC=${p}`).join(',');
}
