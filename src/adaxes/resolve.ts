// directoryObject=, group=, member=… → the object, or the HTTP error Adaxes clients expect.
import type { Directory } from '../directory/directory.js';
import { classifyIdentifier } from '../directory/ids.js';
import type { DirObject } from '../directory/model.js';
import { isActiveDirectoryObject } from '../directory/on-prem-state.js';
import { badRequest, invalidModel, noSuchObject } from './errors.js';

export async function resolveObject(dir: Directory, raw: unknown, field: string): Promise<DirObject> {
  if (typeof raw !== 'string' || !raw.trim()) throw invalidModel({ [field]: [`The ${field} field is required.`] });
  if (!classifyIdentifier(raw)) throw badRequest(`'${raw}' is not a valid distinguished name, GUID or SID.`);
  const obj = await dir.resolveIdentifier(raw);
  if (!obj) throw noSuchObject(raw);
  return obj;
}

/** A container named by DN (it need not be an object here) or by the GUID of an object with a DN. */
export async function resolveContainer(dir: Directory, raw: unknown, field: string): Promise<string> {
  if (typeof raw !== 'string' || !raw.trim()) throw invalidModel({ [field]: [`The ${field} field is required.`] });
  const ident = classifyIdentifier(raw);
  if (!ident || ident.kind === 'sid') throw badRequest(`'${raw}' is not a valid distinguished name or GUID of a container.`);
  if (ident.kind === 'dn') return raw.trim();
  const obj = await dir.resolveIdentifier(raw);
  if (!obj || !isActiveDirectoryObject(obj)) throw noSuchObject(raw);
  return obj.dn!;
}
