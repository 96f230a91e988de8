// Field conversions shared by the roster formats; each returns undefined for a value it cannot accept.

/** ISO date (YYYY-MM-DD) from ISO, US (M/D/YYYY) or ISO date-time text; '' → null. */
export function isoDate(raw: string): string | null | undefined {
  if (!raw) return null;
  let y: number, m: number, d: number;
  let hit = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(raw);
  if (hit) [y, m, d] = [Number(hit[1]), Number(hit[2]), Number(hit[3])];
  else if ((hit = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(raw))) [y, m, d] = [Number(hit[3]), Number(hit[1]), Number(hit[2])];
  else return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return date.toISOString().slice(0, 10);
}

const GENDERS: Record<string, 'female' | 'male' | 'other'> = { f: 'female', female: 'female', m: 'male', male: 'male', o: 'other', other: 'other', x: 'other', u: 'other' };

export function gender(raw: string): 'female' | 'male' | 'other' | null | undefined {
  if (!raw) return null;
  return GENDERS[raw.toLowerCase()];
}

/** A sign-in name: `name@domain`, or a bare name completed with the tenant's domain. */
export function userPrincipalName(raw: string, domain: string): string | undefined {
  const upn = raw.includes('@') ? raw : `${raw}@${domain}`;
  return /^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(upn) && !upn.startsWith('.') ? upn.toLowerCase() : undefined;
}

export function yesNo(raw: string, fallback: boolean): boolean | undefined {
  if (!raw) return fallback;
  const s = raw.toLowerCase();
  if (['true', 'yes', '1', 'active', 'y'].includes(s)) return true;
  if (['false', 'no', '0', 'inactive', 'n'].includes(s)) return false;
  return undefined;
}

export const orNull = (s: string) => (s === '' ? null : s);
