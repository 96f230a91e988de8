// Simulated directory synchronisation (Entra Connect): how an Active Directory user created through Adaxes gets
// its Microsoft 365 account. The tenant's sync rule decides: at once, or only when a sync run is triggered.
import { loadAdaxesConfig } from './adaxes-config.js';
import type { Directory } from './directory.js';
import { type M365Modification, modifyM365Account } from './m365-account.js';
import { indexKey } from './index-keys.js';
import type { DirObject } from './model.js';
import { NO_M365_INDEX_PROP, PENDING_M365, inSyncScope, onPremisesOnlyProps, onPremisesStateOf, syncedUserProps } from './on-prem-state.js';
import type { Writer } from './writer.js';

export type ProvisionOutcome = 'synced' | 'awaitingSync' | 'outOfScope';

/**
 * Settles a user just created in Active Directory, inside the creating write: synchronised now when the rule says
 * so and the user is in the sync scope (then the Microsoft 365 settings of the request apply at once), otherwise
 * on-premises only, with the settings kept for the sync that will create the account.
 */
export async function provisionCreatedUser(w: Writer, user: DirObject, m365: M365Modification | undefined, tenantDomain: string): Promise<ProvisionOutcome> {
  const { directorySync } = await loadAdaxesConfig(w.tx);
  const inScope = inSyncScope(user, tenantDomain);
  if (inScope && directorySync.mode === 'immediate') {
    const synced = await w.replaceProps(user, syncedUserProps(user, user.props, w.at, tenantDomain));
    if (m365) await modifyM365Account(w, synced, m365);
    return 'synced';
  }
  const props = onPremisesOnlyProps(user.props);
  if (!inScope) {
    await w.replaceProps(user, props);
    // Refused as Adaxes would: there is no account to modify.
    if (m365) await modifyM365Account(w, { ...user, props }, m365);
    return 'outOfScope';
  }
  if (m365) props[PENDING_M365] = m365;
  await w.replaceProps(user, props);
  return 'awaitingSync';
}

export interface SyncRun {
  at: string;
  /** DNs of the users that got a Microsoft 365 account in this run. */
  provisioned: string[];
  /** Users whose pending Microsoft 365 settings could not be applied (e.g. no licence left), with the reason. */
  warnings: { dn: string; message: string }[];
}

/**
 * One synchronisation cycle: every Active Directory user in scope that has no Microsoft 365 account gets one, each
 * in its own transaction. Settings kept from the creation request apply with the account; if they fail (no units
 * left, say) the account is still created without them and the run reports why, as a sync log would.
 */
export async function runDirectorySync(dir: Directory): Promise<SyncRun> {
  const at = new Date().toISOString();
  const run: SyncRun = { at, provisioned: [], warnings: [] };
  const rows = await dir.db
    .selectFrom('object_index as i')
    .innerJoin('objects as o', 'o.row_key', 'i.object_key')
    .select('o.id')
    .where('i.prop_key', '=', indexKey('user', NO_M365_INDEX_PROP))
    .orderBy('o.id')
    .execute();
  const provision = (id: string, withPending: boolean) =>
    dir.write(async (w) => {
      const user = await w.load(id);
      if (!user || onPremisesStateOf(user) !== 'onPremisesOnly' || !inSyncScope(user, dir.tenant.domain)) return undefined;
      const pending = user.props[PENDING_M365] as M365Modification | undefined;
      const synced = await w.replaceProps(user, syncedUserProps(user, user.props, at, dir.tenant.domain));
      if (pending && withPending) await modifyM365Account(w, synced, pending);
      return user.dn!;
    });
  for (const { id } of rows) {
    let dn: string | undefined;
    try {
      dn = await provision(id, true);
    } catch (err) {
      dn = await provision(id, false);
      if (dn) run.warnings.push({ dn, message: `The Microsoft 365 settings requested at creation were not applied: ${(err as Error).message}` });
    }
    if (dn) run.provisioned.push(dn);
  }
  return run;
}
