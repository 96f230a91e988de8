// Device writes as Entra ID allows them (graph-notes §1.4) and the beta usageRights collection. Everything is
// validated before the first write, inside the one write transaction, so a refused request changes nothing.
import type { Kysely } from 'kysely';
import { resource } from '../schema/resources.js';
import { checkValue, invalidValue as invalidValueOf } from './property-checks.js';
import type { Database } from '../store/schema.js';
import type { Directory } from './directory.js';
import { isGuid, newGuid } from './ids.js';
import { type DirObject, DirectoryError, type Props } from './model.js';

/** What the device rules need to know about the caller; the face derives it from the token. */
export interface DeviceCaller {
  /** App-only token (client credentials) rather than a signed-in user. */
  appOnly: boolean;
  /** Whether the caller's permissions extend to alternativeSecurityIds (auth/permissions fieldRule). */
  mayWriteAlternativeSecurityIds: boolean;
  /** The calling application's appId (client id). */
  appId?: string;
}

/** Microsoft Intune's application id: the MDM that device-update.md lets change compliance on any OS. */
export const INTUNE_APP_ID = '0000000a-0000-0000-c000-000000000000';

/** Properties a caller may set on an existing device. The rest of the CSDL's device is read-only. */
const WRITABLE = new Set([
  'accountEnabled',
  'alternativeSecurityIds',
  'deviceMetadata',
  'deviceVersion',
  'displayName',
  'extensionAttributes',
  'isCompliant',
  'isManaged',
  'operatingSystem',
  'operatingSystemVersion',
  'physicalIds',
  'profileType',
]);

/** Set once by Device Registration at creation, read-only afterwards. */
const CREATE_ONLY = new Set(['deviceId']);

export const REQUIRED_ON_CREATE = ['accountEnabled', 'alternativeSecurityIds', 'deviceId', 'displayName', 'operatingSystem', 'operatingSystemVersion'] as const;

/** "Required" in the resource table: may be changed but never cleared. */
const NOT_NULL = new Set(['accountEnabled', 'displayName', 'operatingSystem', 'operatingSystemVersion', 'profileType', 'extensionAttributes']);

/** deviceProfileType (the seed's device table); v1.0's CSDL types profileType as a plain string. */
export const DEVICE_PROFILE_TYPES = ['RegisteredDevice', 'SecureVM', 'Printer', 'Shared', 'IoT'] as const;

/** Only Intune, or an approved MDM app on Windows devices, may change compliance and management state. */
const MDM_ONLY = new Set(['isCompliant', 'isManaged']);

export const EXTENSION_ATTRIBUTE_NAMES = Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`);

const invalidValue = (name: string) => invalidValueOf(name, 'Device');
const denied = () => new DirectoryError('forbidden', 'Insufficient privileges to complete the operation.');

export const isWindows = (os: unknown) => typeof os === 'string' && os.trim().toLowerCase() === 'windows';

/** Checks one property value against its CSDL type and the device rules; returns the value to store. */
function checkDeviceValue(name: string, v: unknown): unknown {
  const meta = resource('device').properties[name];
  if (v === null) {
    if (NOT_NULL.has(name) || !meta.nullable) throw invalidValue(name);
    return null;
  }
  if (name === 'profileType') {
    const hit = typeof v === 'string' ? DEVICE_PROFILE_TYPES.find((p) => p.toLowerCase() === v.toLowerCase()) : undefined;
    if (!hit) throw invalidValue(name);
    return hit;
  }
  if (name === 'deviceId') {
    if (typeof v !== 'string' || !isGuid(v)) throw invalidValue(name);
    return v.toLowerCase();
  }
  return checkValue(name, 'Device', meta, v, NOT_NULL.has(name));
}

/** Validates the extensionAttributes delta: only extensionAttribute1..15, each a string or null. */
function checkExtensionAttributes(v: unknown): Record<string, string | null> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidValue('extensionAttributes');
  const out: Record<string, string | null> = {};
  for (const [k, val] of Object.entries(v as Props)) {
    if (!EXTENSION_ATTRIBUTE_NAMES.includes(k)) throw new DirectoryError('invalid', `Invalid property '${k}'.`, { property: `extensionAttributes/${k}` });
    if (val !== null && typeof val !== 'string') throw invalidValue('extensionAttributes');
    out[k] = val as string | null;
  }
  return out;
}

/** Extension attributes 1–15 with `delta` merged over `current`: attributes not named keep their values. */
export function mergeExtensionAttributes(current: unknown, delta: Record<string, string | null>): Record<string, string | null> {
  const base = (current && typeof current === 'object' ? current : {}) as Record<string, unknown>;
  const out: Record<string, string | null> = {};
  for (const n of EXTENSION_ATTRIBUTE_NAMES) out[n] = n in delta ? delta[n] : typeof base[n] === 'string' ? (base[n] as string) : null;
  return out;
}

/**
 * Parses a device body into checked property values, refusing (400) unknown, read-only and mistyped properties.
 * Instance annotations are ignored, except an @odata.type naming anything but device.
 */
export function parseDeviceBody(body: Props, mode: 'create' | 'update'): Map<string, unknown> {
  const props = resource('device').properties;
  const out = new Map<string, unknown>();
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith('@')) {
      if (name === '@odata.type' && (typeof value !== 'string' || !/^#?microsoft\.graph\.device$/i.test(value)))
        throw new DirectoryError('invalid', `Invalid value specified for property '@odata.type' of resource 'Device'.`);
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(props, name)) throw new DirectoryError('invalid', `Invalid property '${name}'.`, { property: name });
    const writable = WRITABLE.has(name) || (mode === 'create' && CREATE_ONLY.has(name));
    if (!writable) throw new DirectoryError('invalid', `Property '${name}' is read-only and cannot be set.`, { property: name });
    out.set(name, name === 'extensionAttributes' ? checkExtensionAttributes(value) : checkDeviceValue(name, value));
  }
  return out;
}

/** The authorisation rules the docs attach to single properties (graph-notes §1.4), for a checked body. */
function authorise(changes: Map<string, unknown>, device: Props, caller: DeviceCaller): void {
  if (changes.has('alternativeSecurityIds') && !caller.mayWriteAlternativeSecurityIds) throw denied();
  if (!caller.appOnly) {
    // isCompliant and isManaged belong to Intune or the device's MDM app, never to a signed-in user.
    for (const n of MDM_ONLY) if (changes.has(n)) throw denied();
    return;
  }
  // device-update.md: "In application-only scenarios and for non-Windows devices … the app can update only the
  // extensionAttributes property." Graph refuses the rest with 400 and this message (msgraph-sdk-powershell #2066).
  if (!isWindows(device.operatingSystem)) {
    for (const n of changes.keys())
      if (n !== 'extensionAttributes') throw new DirectoryError('invalid', 'Properties other than ExtendedAttribute1..15 can be modified only on windows devices.', { property: n });
  }
  // device-update.md: isCompliant and isManaged "can only be updated by Intune for any device OS type or by an
  // approved MDM app for Windows OS devices": the app that manages this device (its mdmAppId), or Intune.
  const mdm = caller.appId !== undefined && (caller.appId === INTUNE_APP_ID || caller.appId === device.mdmAppId);
  for (const n of MDM_ONLY) if (changes.has(n) && !mdm) throw denied();
}

/** Applies a checked body to a device's stored properties. */
function applyChanges(current: Props, changes: Map<string, unknown>): Props {
  const next: Props = { ...current };
  for (const [name, value] of changes) {
    next[name] = name === 'extensionAttributes' ? mergeExtensionAttributes(current.extensionAttributes, value as Record<string, string | null>) : value;
  }
  return next;
}

/** PATCH semantics: properties left out keep their values; an empty body changes nothing. */
export async function updateDevice(dir: Directory, id: string, body: Props, caller: DeviceCaller): Promise<void> {
  const changes = parseDeviceBody(body, 'update');
  await dir.write(async (w) => {
    const device = await w.load(id);
    if (!device || device.type !== 'device') throw new DirectoryError('notFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, { id });
    authorise(changes, device.props, caller);
    if (changes.size === 0) return;
    await w.replaceProps(device, applyChanges(device.props, changes));
  });
}

/** Every v1.0 device property with the values a freshly registered device has. */
function newDeviceProps(now: string): Props {
  const out: Props = {};
  for (const p of Object.values(resource('device').properties)) {
    if (p.name === 'id') continue;
    out[p.name] = p.collection ? [] : null;
  }
  return { ...out, extensionAttributes: mergeExtensionAttributes({}, {}), profileType: 'RegisteredDevice', registrationDateTime: now, isRooted: false };
}

export async function createDevice(dir: Directory, body: Props, caller: DeviceCaller): Promise<DirObject> {
  const changes = parseDeviceBody(body, 'create');
  for (const name of REQUIRED_ON_CREATE) {
    if (!changes.has(name)) throw new DirectoryError('invalid', `Property '${name}' is required when creating the object.`, { property: name });
  }
  if (changes.has('alternativeSecurityIds') && !caller.mayWriteAlternativeSecurityIds) throw denied();
  if (!caller.appOnly) for (const n of MDM_ONLY) if (changes.has(n)) throw denied();
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return dir.write((w) => w.create({ type: 'device', objectGuid: newGuid(), props: applyChanges(newDeviceProps(now), changes) }));
}

export async function deleteDevice(dir: Directory, id: string): Promise<void> {
  await dir.write(async (w) => {
    const device = await w.load(id);
    if (!device || device.type !== 'device') throw new DirectoryError('notFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, { id });
    await w.delete(device);
  });
}

/** A device's usage rights as Graph (beta) shapes them, in id order. */
export async function usageRightsOf(db: Kysely<Database>, deviceId: string): Promise<Props[]> {
  const rows = await db.selectFrom('usage_rights').selectAll().where('device_id', '=', deviceId).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, catalogId: r.catalog_id, serviceIdentifier: r.service_identifier, state: r.state }));
}
