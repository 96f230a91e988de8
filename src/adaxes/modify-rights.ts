// The permissions a modify request needs, all checked before anything is written: the write of each property
// (a password write is a password reset, a new name a rename), and the Microsoft 365 parts as Adaxes delegates them
// ("Activate account, set location" and "Allow/block access" → the account; "Assign/revoke licenses" → licenses).
import type { FastifyRequest } from 'fastify';
import type { M365Modification } from '../directory/m365-account.js';
import type { DirObject } from '../directory/model.js';
import { requireOperation, requireRight } from './access.js';
import { NAME_ATTRIBUTES, PASSWORD_ATTRIBUTES } from './attributes.js';
import type { PropertyItem } from './property-writes.js';

export async function requireModifyRights(req: FastifyRequest, obj: DirObject, items: PropertyItem[], m365: M365Modification | undefined): Promise<void> {
  for (const item of items) {
    const n = item.name.toLowerCase();
    if (PASSWORD_ATTRIBUTES.has(n)) await requireRight(req, 'resetPassword', obj, 'reset the password of');
    else if (NAME_ATTRIBUTES.has(n)) {
      requireOperation(req, 'Rename');
      await requireRight(req, 'writeProperty', obj, 'rename', 'name');
    } else await requireRight(req, 'writeProperty', obj, `write the property '${item.name}' of`, item.name);
  }
  if (!m365) return;
  if (m365.locationName != null || m365.signInBlocked != null) await requireRight(req, 'manageM365Account', obj, 'manage the Microsoft 365 account of');
  if (m365.licenseModifications?.length) await requireRight(req, 'manageM365Licenses', obj, 'manage the Microsoft 365 licenses of');
}
