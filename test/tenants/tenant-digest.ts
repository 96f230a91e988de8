// A tenant's content as one hash per object and per table (ids, identities, properties, relations, licences,
// usage rights, apps, Adaxes configuration), so that two stores can be compared object by object. Secrets are
// compared by what they verify, not by their salted hashes.
import { createHash } from 'node:crypto';
import { verifySecret } from '../../src/directory/credentials.js';
import { readTenantState } from '../../src/directory/tenant-tables.js';
import type { Db } from '../../src/store/open.js';

const canonical = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, canonical(x)])) : v;
const hash = (v: unknown) => createHash('sha256').update(JSON.stringify(canonical(v))).digest('hex').slice(0, 32);

// One verification per distinct hash: the demo's users share one.
const verified = new Map<string, Promise<boolean>>();
const verifies = (secret: string, h: string) => {
  const key = `${secret}\u0000${h}`;
  if (!verified.has(key)) verified.set(key, verifySecret(secret, h));
  return verified.get(key)!;
};

export async function tenantDigest(db: Db, secrets: { password: string; appSecret: (name: string) => string }): Promise<Record<string, string>> {
  const s = await readTenantState(db);
  const out: Record<string, string> = {};
  for (const o of s.objects) out[`object:${o.id}`] = hash({ type: o.type, facet: o.facet, dn: o.dn, objectGuid: o.objectGuid, sid: o.sid, props: o.props });
  out.links = hash([...s.links].map((l) => `${l.kind}|${l.source}|${l.target}`).sort());
  out.skus = hash(s.skus.map(({ consumed_units, ...rest }) => ({ ...rest, consumed_units, service_plans: JSON.parse(rest.service_plans) })));
  out.licenseAssignments = hash(s.licenseAssignments);
  out.usageRights = hash(s.usageRights);
  out.apps = hash(
    await Promise.all(s.apps.map(async ({ secret_hash, ...a }) => ({ ...a, secretVerifies: secret_hash ? await verifies(secrets.appSecret(a.display_name), secret_hash) : null }))),
  );
  out.credentials = hash(await Promise.all(s.credentials.map(async (c) => ({ user: c.user_id, verifies: await verifies(secrets.password, c.password_hash) }))));
  out.adaxes = hash(s.adaxesConfig ? JSON.parse(s.adaxesConfig) : null);
  return out;
}
