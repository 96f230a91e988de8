// Loading a fixture into a store: checked first (fixture-plan.ts), then written in one transaction through the
// core's writer with bulk statements, so a refused or failing fixture leaves the store as it was.
import { readFile } from 'node:fs/promises';
import { hashSecret } from '../directory/credentials.js';
import type { TenantInfo } from '../directory/directory.js';
import { saveAdaxesConfig } from '../directory/adaxes-config.js';
import { activateRole, addRoleMemberTx } from '../directory/directory-roles.js';
import { syncedUserProps } from '../directory/on-prem-state.js';
import { tenantRows } from '../directory/tenant-tables.js';
import { writeTx, type Writer } from '../directory/writer.js';
import type { Store } from '../store/open.js';
import { planFixture, type LoadPlan } from './fixture-plan.js';
import { parseFixtureText, type FixtureSource } from './fixture-source.js';
import { saveTenantRecord } from './tenant-record.js';

/** Reads and checks a fixture file (YAML or JSON by its extension); throws FixtureError with every problem. */
export async function readFixtureFile(file: string): Promise<{ source: FixtureSource; plan: LoadPlan }> {
  const text = await readFile(file, 'utf8');
  return checkFixture(text, file);
}

export function checkFixture(text: string, file: string): { source: FixtureSource; plan: LoadPlan } {
  const source = parseFixtureText(text, file);
  return { source, plan: planFixture(source) };
}

// Hashing is the slow part of a load (scrypt); a fixture reloaded by the same process reuses its hashes.
const hashes = new Map<string, Promise<string>>();
const hashOnce = (secret: string) => {
  let h = hashes.get(secret);
  if (!h) {
    h = hashSecret(secret);
    hashes.set(secret, h);
  }
  return h;
};

/** Writes a checked plan in the caller's write transaction. */
export async function writePlan(w: Writer, plan: LoadPlan, source?: unknown): Promise<void> {
  const [credentials, apps] = await Promise.all([
    Promise.all(plan.credentials.map(async (c) => ({ user_id: c.user_id, password_hash: c.passwordHash ?? (await hashOnce(c.password!)) }))),
    Promise.all(
      plan.apps.map(async ({ secret, secretHash, passwordCredentials, ...a }) => ({
        ...a,
        secret_hash: secret ? await hashOnce(secret) : secretHash,
        password_credentials: JSON.stringify(
          await Promise.all(passwordCredentials.map(async ({ secret: s, hash, ...p }) => ({ keyId: p.keyId, displayName: p.displayName, hint: p.hint, hash: hash ?? (await hashOnce(s!)), startDateTime: p.startDateTime, endDateTime: p.endDateTime }))),
        ),
      })),
    ),
  ]);
  await saveTenantRecord(w.tx, plan.tenant, source);
  await tenantRows.skus(w, plan.skus);
  await tenantRows.licenseAssignments(w, plan.licenseAssignments.map((a) => ({ ...a, assigned_at: a.assigned_at ?? w.at })));
  await w.createMany(plan.objects);
  const byKind = new Map<string, [string, string][]>();
  for (const l of plan.links) byKind.set(l.kind, [...(byKind.get(l.kind) ?? []), [l.source, l.target]]);
  for (const [kind, pairs] of byKind) await w.addLinks(kind as Parameters<Writer['addLinks']>[0], pairs);
  for (const id of plan.syncFill) {
    const user = (await w.load(id))!;
    const synced = syncedUserProps(user, user.props, typeof user.props.onPremisesLastSyncDateTime === 'string' ? user.props.onPremisesLastSyncDateTime : w.at, plan.tenant.domain);
    // What the fixture says wins; only what it left out comes from the identity.
    await w.replaceProps(user, { ...synced, ...Object.fromEntries(Object.entries(user.props).filter(([, v]) => v !== undefined)) });
  }
  await tenantRows.credentials(w, credentials);
  await tenantRows.apps(w, apps);
  await tenantRows.usageRights(w, plan.usageRights);
  await tenantRows.consents(w, plan.consents);
  for (const r of plan.directoryRoles) {
    const role = await activateRole(w.tx, r.templateId, { existingOk: true });
    for (const m of r.members) await addRoleMemberTx(w.tx, role.objectId, m);
  }
  if (plan.adaxes) await saveAdaxesConfig(w.tx, plan.adaxes);
}

/** Loads a checked fixture into `store` as one transaction; returns the tenant it declares. */
export async function loadPlan(store: Store, plan: LoadPlan, source?: unknown): Promise<TenantInfo> {
  await writeTx(store, plan.tenant, (w) => writePlan(w, plan, source));
  return plan.tenant;
}
