// The Microsoft 365 modification object (`m365`, or `o365` in older clients), checked field by field.
import type { M365LicenseModification, M365Modification } from '../directory/m365-account.js';
import type { Props } from '../directory/model.js';
import { type ModelState, invalidModel } from './errors.js';

const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function parseM365(raw: Props | undefined, field: string): M365Modification | undefined {
  if (raw === undefined || raw === null) return undefined;
  const errors: ModelState = {};
  if (raw.locationName !== undefined && raw.locationName !== null && typeof raw.locationName !== 'string') errors[`${field}.locationName`] = ['The locationName must be a string.'];
  if (raw.signInBlocked !== undefined && raw.signInBlocked !== null && typeof raw.signInBlocked !== 'boolean') errors[`${field}.signInBlocked`] = ['The signInBlocked must be true or false.'];
  const mods: M365LicenseModification[] = [];
  if (raw.licenseModifications !== undefined && raw.licenseModifications !== null) {
    if (!Array.isArray(raw.licenseModifications)) errors[`${field}.licenseModifications`] = ['The licenseModifications must be an array.'];
    else
      raw.licenseModifications.forEach((m: unknown, i: number) => {
        const at = `${field}.licenseModifications[${i}]`;
        const e = (m ?? {}) as Props;
        if (typeof e.skuPartNumber !== 'string' || !e.skuPartNumber) errors[`${at}.skuPartNumber`] = ['The skuPartNumber field is required.'];
        if (typeof e.assigned !== 'boolean') errors[`${at}.assigned`] = ['The assigned field is required and must be true or false.'];
        for (const k of ['enabledServices', 'disabledServices'] as const)
          if (e[k] !== undefined && e[k] !== null && !strings(e[k])) errors[`${at}.${k}`] = [`The ${k} must be an array of service plan names.`];
        mods.push({
          skuPartNumber: String(e.skuPartNumber ?? ''),
          assigned: e.assigned === true,
          enabledServices: (e.enabledServices as string[] | null | undefined) ?? undefined,
          disabledServices: (e.disabledServices as string[] | null | undefined) ?? undefined,
        });
      });
  }
  if (Object.keys(errors).length) throw invalidModel(errors);
  return {
    locationName: (raw.locationName as string | null | undefined) ?? undefined,
    signInBlocked: (raw.signInBlocked as boolean | null | undefined) ?? undefined,
    licenseModifications: mods,
  };
}
