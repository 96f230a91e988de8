// A user's Microsoft 365 account as Adaxes presents it: account status, usage location, sign-in block and the
// licenses by part number and service name. Reads and writes the same license state Graph does (licensing.ts).
import type { Db, Tx } from '../store/open.js';
import type { Directory } from './directory.js';
import { type Assignment, type LicenseChange, type Sku, applyLicenseChange, assignmentsOf, listSkus, skusHeldBy } from './licensing.js';
import { type DirObject, DirectoryError } from './model.js';
import { hasMicrosoft365Account, onPremisesStateOf } from './on-prem-state.js';
import type { Writer } from './writer.js';

export interface M365LicenseModification {
  skuPartNumber: string;
  assigned: boolean;
  enabledServices?: string[];
  disabledServices?: string[];
}

export interface M365Modification {
  locationName?: string | null;
  signInBlocked?: boolean;
  licenseModifications?: M365LicenseModification[];
}

export interface M365Properties {
  isCreated: boolean;
  locationName: string | null;
  signInBlocked: boolean;
  lastDirSyncTimeUtc: string | null;
  licenses: {
    sku: {
      skuPartNumber: string;
      displayName: string;
      isUnavailable: false;
      services: { serviceName: string; serviceDisplayName: string; enabled: boolean; isAutoAssignable: boolean }[];
    };
    assigned: boolean;
    consumedUnits: number;
    totalUnits: number;
  }[];
}

/** ISO 8601 UTC without fractions, as Adaxes prints lastDirSyncTimeUtc (2023-03-27T10:28:14Z). */
function syncTime(v: unknown): string | null {
  if (typeof v !== 'string' || !v) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function m365Properties(dir: Directory, user: DirObject): Promise<M365Properties> {
  if (user.type !== 'user') throw new DirectoryError('invalid', 'Microsoft 365 properties are available for user objects only.', { reason: 'notUser' });
  const created = hasMicrosoft365Account(user);
  const skus = await skusHeldBy(dir.store, user.id);
  // A user without a Microsoft 365 account shows no license as assigned.
  const held = new Map(created ? skus.flatMap((s) => (s.held ? [[s.sku.skuId, s.held] as const] : [])) : []);
  return {
    isCreated: created,
    locationName: created && typeof user.props.usageLocation === 'string' ? user.props.usageLocation : null,
    signInBlocked: created ? user.props.accountEnabled === false : false,
    lastDirSyncTimeUtc: onPremisesStateOf(user) === 'synced' ? syncTime(user.props.onPremisesLastSyncDateTime) : null,
    licenses: skus
      .map((s) => s.sku)
      .filter((s) => s.appliesTo === 'User')
      .map((s) => {
        const a = held.get(s.skuId);
        return {
          sku: {
            skuPartNumber: s.skuPartNumber,
            displayName: s.displayName,
            isUnavailable: false as const,
            services: s.servicePlans.map((p) => ({
              serviceName: p.servicePlanName,
              serviceDisplayName: p.displayName,
              // For a license the user does not hold, a service reads as enabled: that is what assigning it would give.
              enabled: a ? !a.disabledPlans.some((d) => d.toLowerCase() === p.servicePlanId.toLowerCase()) : true,
              isAutoAssignable: !!p.isAutoAssignable,
            })),
          },
          assigned: !!a,
          consumedUnits: s.consumedUnits,
          totalUnits: s.prepaidUnits.enabled,
        };
      }),
  };
}

const lower = (xs: readonly string[] | undefined) => (xs ?? []).map((x) => String(x).toLowerCase());

/**
 * The disabled plans that one license modification leaves, by the rules of the Adaxes modification object:
 * - a NEW license with enabledServices gets exactly those (plus the auto-assigned ones); disabledServices is ignored;
 * - a NEW license with only disabledServices gets everything but those;
 * - on a license already HELD, enabledServices are switched on and disabledServices off, and a plan named in both
 *   stays on (enabledServices take precedence);
 * - an auto-assignable service cannot be switched off without revoking the whole license.
 */
export function disabledPlansAfter(sku: Sku, held: Assignment | undefined, mod: M365LicenseModification): string[] {
  const byName = new Map(sku.servicePlans.map((p) => [p.servicePlanName.toLowerCase(), p]));
  const resolve = (names: string[]) =>
    names.map((n) => {
      const p = byName.get(n);
      if (!p) throw new DirectoryError('invalid', `The license '${sku.skuPartNumber}' does not include a service named '${n}'.`, { reason: 'unknownPlan' });
      return p;
    });
  const enabled = resolve(lower(mod.enabledServices));
  const disabled = resolve(lower(mod.disabledServices));
  const enabledIds = new Set(enabled.map((p) => p.servicePlanId));
  const refuseAuto = (plans: typeof disabled) => {
    const auto = plans.find((p) => p.isAutoAssignable);
    if (auto)
      throw new DirectoryError('invalid', `The service '${auto.servicePlanName}' is assigned automatically with the license '${sku.skuPartNumber}' and cannot be disabled without revoking the license.`, {
        reason: 'autoAssignable',
      });
  };
  if (!held) {
    if (mod.enabledServices !== undefined)
      return sku.servicePlans.filter((p) => !p.isAutoAssignable && !enabledIds.has(p.servicePlanId)).map((p) => p.servicePlanId);
    refuseAuto(disabled);
    return disabled.map((p) => p.servicePlanId);
  }
  const switchedOff = disabled.filter((p) => !enabledIds.has(p.servicePlanId));
  refuseAuto(switchedOff);
  const result = new Set(held.disabledPlans.filter((id) => !enabledIds.has(id)));
  for (const p of switchedOff) result.add(p.servicePlanId);
  return sku.servicePlans.map((p) => p.servicePlanId).filter((id) => result.has(id));
}

/** Translates an Adaxes license modification list into one license change (part numbers and service names → ids). */
export async function licenseChangeFor(db: Db | Tx, userId: string, mods: readonly M365LicenseModification[]): Promise<LicenseChange> {
  const skus = await listSkus(db);
  const byPart = new Map(skus.map((s) => [s.skuPartNumber.toLowerCase(), s]));
  const held = new Map((await assignmentsOf(db, userId)).map((a) => [a.skuId, a]));
  const change: LicenseChange = { add: [], remove: [] };
  const seen = new Set<string>();
  for (const m of mods) {
    const sku = byPart.get(String(m.skuPartNumber ?? '').toLowerCase());
    if (!sku) throw new DirectoryError('invalid', `There is no license with SKU part number '${m.skuPartNumber}' in the Microsoft 365 tenant.`, { reason: 'unknownSku' });
    if (seen.has(sku.skuId)) throw new DirectoryError('invalid', `The license '${sku.skuPartNumber}' is modified more than once in the request.`, { reason: 'duplicate' });
    seen.add(sku.skuId);
    const mine = held.get(sku.skuId);
    if (!m.assigned) {
      if (mine) change.remove.push(sku.skuId);
      continue;
    }
    const disabledPlans = disabledPlansAfter(sku, mine, m);
    const unchanged = mine && disabledPlans.length === mine.disabledPlans.length && disabledPlans.every((d) => mine.disabledPlans.includes(d));
    if (!unchanged) change.add.push({ skuId: sku.skuId, disabledPlans });
  }
  return change;
}

/**
 * Applies an Adaxes Microsoft 365 modification inside the caller's write: usage location first (assignments need
 * it), then sign-in block, then every license change at once. Any failure throws and nothing is kept.
 */
export async function modifyM365Account(w: Writer, user: DirObject, mod: M365Modification): Promise<void> {
  let current = await w.load(user.id);
  if (!current || current.type !== 'user') throw new DirectoryError('invalid', 'Microsoft 365 properties are available for user objects only.', { reason: 'notUser' });
  if (!hasMicrosoft365Account(current))
    throw new DirectoryError('invalid', `The user '${current.props.displayName ?? current.dn}' does not have a Microsoft 365 account.`, { reason: 'noAccount' });
  const props = { ...current.props };
  let changed = false;
  if (mod.locationName !== undefined && mod.locationName !== null) {
    if (typeof mod.locationName !== 'string' || !/^[A-Za-z]{2}$/.test(mod.locationName))
      throw new DirectoryError('invalid', `'${String(mod.locationName)}' is not a two-letter country code (ISO 3166-1 alpha-2).`, { reason: 'usageLocation' });
    props.usageLocation = mod.locationName.toUpperCase();
    changed = changed || props.usageLocation !== current.props.usageLocation;
  }
  if (mod.signInBlocked !== undefined && mod.signInBlocked !== null) {
    props.accountEnabled = !mod.signInBlocked;
    changed = changed || props.accountEnabled !== current.props.accountEnabled;
  }
  if (changed) current = await w.replaceProps(current, props);
  if (mod.licenseModifications?.length) {
    const change = await licenseChangeFor(w.tx, current.id, mod.licenseModifications);
    if (change.add.length || change.remove.length) await applyLicenseChange(w, current, change);
  }
}
