// The `properties` array of create and modify requests: validated up front (ModelState), applied inside the write.
import { hashSecret } from '../directory/credentials.js';
import type { DirObject, Props } from '../directory/model.js';
import { renameOnPrem, setPasswordHash } from '../directory/on-prem.js';
import type { Writer } from '../directory/writer.js';
import { NAME_ATTRIBUTES, PASSWORD_ATTRIBUTES, type PropertyOperation, READ_ONLY, parseOperation, writeAttribute } from './attributes.js';
import { type ModelState, invalidModel } from './errors.js';
import { OperationFailure } from './operation-result.js';

export interface PropertyItem {
  name: string;
  operation: PropertyOperation;
  values: unknown[];
  mask?: number;
}

/** Parses the request's properties; every malformed item is reported at once. */
export function parsePropertyItems(raw: unknown): PropertyItem[] {
  if (raw === undefined || raw === null) return [];
  const errors: ModelState = {};
  const items: PropertyItem[] = [];
  (raw as unknown[]).forEach((entry, i) => {
    const at = `properties[${i}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      errors[at] = ['Each property must be a JSON object.'];
      return;
    }
    const e = entry as Props;
    if (typeof e.propertyName !== 'string' || !e.propertyName.trim()) errors[`${at}.propertyName`] = ['The propertyName field is required.'];
    const operation = parseOperation(e.operation);
    if (!operation) errors[`${at}.operation`] = [`The value '${String(e.operation)}' is not a valid operation.`];
    const values = e.values === undefined || e.values === null ? [] : Array.isArray(e.values) ? e.values : [e.values];
    if (operation !== 'clear' && values.length === 0 && e.values === undefined) errors[`${at}.values`] = ['The values field is required.'];
    const mask = e.mask === undefined || e.mask === null ? undefined : Number(e.mask);
    if (mask !== undefined && !Number.isInteger(mask)) errors[`${at}.mask`] = ['The mask must be an integer.'];
    if (typeof e.propertyName === 'string' && operation) items.push({ name: e.propertyName.trim(), operation, values, mask });
  });
  if (Object.keys(errors).length) throw invalidModel(errors);
  return items;
}

const stripQuotes = (s: string) => (s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s);

export function passwordOf(items: PropertyItem[]): string | undefined {
  const p = items.find((i) => PASSWORD_ATTRIBUTES.has(i.name.toLowerCase()));
  return p && p.values.length ? stripQuotes(String(p.values[0])) : undefined;
}

/** Hashing is slow; it happens before the serialised write starts. */
export async function passwordHashOf(items: PropertyItem[]): Promise<string | undefined> {
  const pw = passwordOf(items);
  return pw === undefined ? undefined : hashSecret(pw);
}

export function nameOf(items: PropertyItem[]): string | undefined {
  const n = items.find((i) => NAME_ATTRIBUTES.has(i.name.toLowerCase()) && i.values.length);
  return n ? String(n.values[0]).trim() : undefined;
}

/** Writes ordinary attributes into `props` (a copy); throws OperationFailure for a refused one. */
export function applyToProps(props: Props, obj: DirObject, items: PropertyItem[]): Props {
  for (const item of items) {
    const n = item.name.toLowerCase();
    if (NAME_ATTRIBUTES.has(n) || PASSWORD_ATTRIBUTES.has(n)) continue;
    if (READ_ONLY.has(n)) throw new OperationFailure(`Property '${item.name}' cannot be modified.`);
    const err = writeAttribute(props, obj, item.name, item.operation, item.values, item.mask);
    if (err) throw new OperationFailure(err);
  }
  return props;
}

/** Applies a modify request's properties to an existing object inside the caller's write. */
export async function modifyProperties(w: Writer, obj: DirObject, items: PropertyItem[], passwordHash: string | undefined): Promise<DirObject> {
  let current = obj;
  const props = applyToProps(structuredClone(obj.props), obj, items);
  if (JSON.stringify(props) !== JSON.stringify(obj.props)) current = await w.replaceProps(current, props);
  const name = nameOf(items);
  if (name !== undefined) current = await renameOnPrem(w, current, name);
  if (passwordHash !== undefined) {
    if (obj.type !== 'user') throw new OperationFailure('Only user accounts have a password here.');
    await setPasswordHash(w, obj.id, passwordHash);
  }
  return current;
}
