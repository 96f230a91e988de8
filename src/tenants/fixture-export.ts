// A tenant as a fixture, whatever built it (a fixture, the generator, an import, API writes): every object with its
// stored properties and identity, every relation, subscription, licence, password hash, app and usage right, and
// the Adaxes configuration. Values the loader would derive by itself are left out, and everything is written in a
// fixed order, so export → load → export gives the same file.
import { stringify } from 'yaml';
import type { TenantInfo } from '../directory/directory.js';
import { isGuid } from '../directory/ids.js';
import { defaultDn } from '../directory/identity.js';
import { catalogServicePlans, catalogSku } from '../directory/license-catalog.js';
import type { DirObject } from '../directory/model.js';
import { readTenantState } from '../directory/tenant-tables.js';
import { roleTemplate } from '../directory/directory-roles.js';
import type { StoredKeyCredential, StoredPasswordCredential } from '../directory/key-credentials.js';
import { REDIRECT_PLATFORMS, type RedirectPlatform } from '../directory/redirect-uris.js';
import type { Db } from '../store/open.js';
import { derived, SECTION_ORDER, SECTIONS } from './fixture-plan.js';
import type { FixtureFormat } from './fixture-source.js';

type Obj = Record<string, unknown>;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const nameOf = (o: DirObject) => (typeof o.props.displayName === 'string' ? o.props.displayName : '');

function sectionOf(o: DirObject): string {
  for (const s of SECTION_ORDER) if (SECTIONS[s].type === o.type && SECTIONS[s].facet === o.facet) return s;
  return o.type === 'servicePrincipal' ? 'servicePrincipals' : 'users';
}

export async function exportTenant(db: Db, tenant: TenantInfo): Promise<Obj> {
  const state = await readTenantState(db);
  const out: Obj = {};
  const t: Obj = {};
  if (tenant.id !== derived.tenantId(tenant.domain)) t.id = tenant.id;
  t.domain = tenant.domain;
  t.displayName = tenant.displayName;
  if (tenant.domainSid.toUpperCase() !== derived.domainSid(tenant.domain)) t.domainSid = tenant.domainSid;
  out.tenant = t;

  // ── subscriptions ───────────────────────────────────────────────────────
  const partCount = new Map<string, number>();
  for (const s of state.skus) partCount.set(s.sku_part_number.toLowerCase(), (partCount.get(s.sku_part_number.toLowerCase()) ?? 0) + 1);
  const skuRef = new Map<string, string>();
  const skus = state.skus.map((s) => {
    const hit = catalogSku(s.sku_id);
    const fromCatalog = 'sku' in hit && hit.sku.partNumber === s.sku_part_number && JSON.stringify(catalogServicePlans(hit.sku)) === s.service_plans ? hit.sku : undefined;
    const byPart = catalogSku(s.sku_part_number);
    const uniquePart = partCount.get(s.sku_part_number.toLowerCase()) === 1;
    skuRef.set(s.sku_id, uniquePart && !isGuid(s.sku_part_number) ? s.sku_part_number : s.sku_id);
    const e: Obj = { sku: fromCatalog && 'sku' in byPart && byPart.sku.skuId === s.sku_id ? s.sku_part_number : s.sku_id };
    if (!fromCatalog) e.skuPartNumber = s.sku_part_number;
    if (s.display_name !== (fromCatalog ? fromCatalog.displayName : s.sku_part_number)) e.displayName = s.display_name;
    e.units = s.prepaid_enabled;
    if (s.prepaid_suspended) e.suspendedUnits = s.prepaid_suspended;
    if (s.prepaid_warning) e.warningUnits = s.prepaid_warning;
    if (s.prepaid_locked_out) e.lockedOutUnits = s.prepaid_locked_out;
    if (s.capability_status !== 'Enabled') e.capabilityStatus = s.capability_status;
    if (s.applies_to !== 'User') e.appliesTo = s.applies_to;
    if (s.account_name !== tenant.displayName) e.accountName = s.account_name;
    if (s.subscription_ids !== JSON.stringify([derived.subscriptionId(s.sku_part_number)])) e.subscriptionIds = JSON.parse(s.subscription_ids) as string[];
    if (!fromCatalog) e.servicePlans = JSON.parse(s.service_plans) as Obj[];
    return e;
  });
  if (skus.length) out.subscribedSkus = skus;

  // ── references: a user by userPrincipalName, another object by a displayName only it has, else by id ────
  const names = new Map<string, number>();
  for (const o of state.objects) names.set(nameOf(o), (names.get(nameOf(o)) ?? 0) + 1);
  const upns = new Map<string, number>();
  for (const o of state.objects) if (o.type === 'user') upns.set(String(o.props.userPrincipalName ?? '').toLowerCase(), (upns.get(String(o.props.userPrincipalName ?? '').toLowerCase()) ?? 0) + 1);
  const byId = new Map(state.objects.map((o) => [o.id, o]));
  const ref = (id: string): string => {
    const o = byId.get(id);
    if (!o) return id;
    const upn = typeof o.props.userPrincipalName === 'string' ? o.props.userPrincipalName : '';
    if (o.type === 'user' && upn.includes('@') && upns.get(upn.toLowerCase()) === 1) return upn;
    const name = nameOf(o);
    if (name && name.trim() === name && names.get(name) === 1 && !isGuid(name) && !name.includes('@')) return name;
    return id;
  };

  const linksFrom = new Map<string, Map<string, string[]>>();
  for (const l of state.links) {
    const m = linksFrom.get(l.source) ?? new Map<string, string[]>();
    m.set(l.kind, [...(m.get(l.kind) ?? []), l.target]);
    linksFrom.set(l.source, m);
  }
  const assignments = new Map<string, typeof state.licenseAssignments>();
  for (const a of state.licenseAssignments) assignments.set(a.user_id, [...(assignments.get(a.user_id) ?? []), a]);
  const passwords = new Map(state.credentials.map((c) => [c.user_id, c.password_hash]));
  const rights = new Map<string, typeof state.usageRights>();
  for (const r of state.usageRights) rights.set(r.device_id, [...(rights.get(r.device_id) ?? []), r]);
  const appBySp = new Map(state.apps.map((a) => [a.service_principal_id, a]));
  const roleName = new Map(state.directoryRoles.map((r) => [r.id, roleTemplate(r.template_id)?.displayName ?? r.template_id]));
  const rolesOf = new Map<string, string[]>();
  for (const m of state.directoryRoleMembers) rolesOf.set(m.member_id, [...(rolesOf.get(m.member_id) ?? []), roleName.get(m.role_id) ?? m.role_id]);
  const appNames = new Map<string, number>();
  for (const a of state.apps) appNames.set(a.display_name, (appNames.get(a.display_name) ?? 0) + 1);
  const appRef = (clientId: string) => {
    const a = state.apps.find((x) => x.client_id === clientId);
    return a && appNames.get(a.display_name) === 1 && !isGuid(a.display_name) ? a.display_name : clientId;
  };
  const consentsOf = new Map<string, { app: string; scopes: string[] }[]>();
  for (const c of state.consents) consentsOf.set(c.user_id, [...(consentsOf.get(c.user_id) ?? []), { app: appRef(c.client_id), scopes: JSON.parse(c.scopes) as string[] }]);

  const identity = (o: DirObject): Obj => {
    const e: Obj = {};
    const name = nameOf(o);
    if (o.id !== derived.id(o.type, name)) e.id = o.id;
    if (o.dn === null) e.dn = null;
    else if (o.dn !== defaultDn({ type: o.type, props: o.props }, o.id, tenant)) e.dn = o.dn;
    if (o.objectGuid !== derived.objectGuid(o.type, name)) e.objectGuid = o.objectGuid;
    if (o.sid) e.sid = o.sid;
    return e;
  };

  const entryOf = (o: DirObject, section: string): Obj => {
    const e: Obj = { ...identity(o), ...o.props };
    const spec = SECTIONS[section];
    const mine = linksFrom.get(o.id);
    for (const [key, kind] of Object.entries(spec?.relations ?? {})) {
      const targets = mine?.get(kind);
      if (targets?.length) e[key] = targets.map(ref).sort(cmp);
    }
    if (o.type === 'user') {
      const manager = mine?.get('manager')?.[0];
      if (manager) e.manager = ref(manager);
      const hash = passwords.get(o.id);
      if (hash) e.passwordHash = hash;
      const held = assignments.get(o.id) ?? [];
      if (held.length)
        e.licenses = held.map((a) => {
          const l: Obj = { sku: skuRef.get(a.sku_id) ?? a.sku_id };
          const disabled = JSON.parse(a.disabled_plans) as string[];
          if (disabled.length) l.disabledPlans = disabled;
          l.assignedDateTime = a.assigned_at;
          return l;
        });
    }
    if (o.type === 'user' || o.type === 'servicePrincipal') {
      const roles = rolesOf.get(o.id);
      if (roles?.length) e.directoryRoles = [...roles].sort(cmp);
    }
    if (o.type === 'user') {
      const given = consentsOf.get(o.id);
      if (given?.length) e.consents = [...given].sort((a, b) => cmp(a.app, b.app));
    }
    if (o.type === 'device') {
      const held = rights.get(o.id) ?? [];
      if (held.length) e.usageRights = held.map((r) => ({ id: r.id, catalogId: r.catalog_id, serviceIdentifier: r.service_identifier, state: r.state }));
    }
    return e;
  };

  const ordered = [...state.objects].sort((a, b) => cmp(nameOf(a), nameOf(b)) || cmp(a.id, b.id));
  for (const section of SECTION_ORDER) {
    const list = ordered.filter((o) => sectionOf(o) === section && !(o.type === 'servicePrincipal' && appBySp.has(o.id))).map((o) => entryOf(o, section));
    if (list.length) out[section] = list;
  }
  const apps = [...state.apps]
    .sort((a, b) => cmp(a.display_name, b.display_name) || cmp(a.client_id, b.client_id))
    .map((a) => {
      const e: Obj = { displayName: a.display_name };
      if (a.client_id !== derived.appId(a.display_name)) e.appId = a.client_id;
      if (a.secret_hash) e.clientSecretHash = a.secret_hash;
      const roles = JSON.parse(a.app_roles) as string[];
      const scopes = JSON.parse(a.scopes) as string[];
      if (roles.length) e.applicationPermissions = roles;
      if (scopes.length) e.delegatedScopes = scopes;
      if (a.public_client) e.publicClient = true;
      const uris: Record<RedirectPlatform, string> = { web: a.web_redirect_uris, spa: a.spa_redirect_uris, publicClient: a.public_client_redirect_uris };
      const registered = REDIRECT_PLATFORMS.map((p) => [p, JSON.parse(uris[p]) as string[]] as const).filter(([, list]) => list.length);
      if (registered.length) e.redirectUris = Object.fromEntries(registered);
      const keys = JSON.parse(a.key_credentials) as StoredKeyCredential[];
      if (keys.length) e.keyCredentials = keys.map((k) => ({ keyId: k.keyId, displayName: k.displayName, key: k.key, startDateTime: k.startDateTime, endDateTime: k.endDateTime }));
      const passwords = JSON.parse(a.password_credentials) as StoredPasswordCredential[];
      if (passwords.length) e.passwordCredentials = passwords.map((p) => ({ keyId: p.keyId, displayName: p.displayName, hint: p.hint, hash: p.hash, startDateTime: p.startDateTime, endDateTime: p.endDateTime }));
      const sp = byId.get(a.service_principal_id);
      if (sp) e.servicePrincipal = entryOf(sp, 'servicePrincipals');
      return e;
    });
  if (apps.length) out.applications = apps;
  if (state.directoryRoles.length) out.directoryRoles = [...roleName.values()].sort(cmp);
  if (state.adaxesConfig) out.adaxes = JSON.parse(state.adaxesConfig) as Obj;
  return out;
}

export function formatFixture(fixture: Obj, format: FixtureFormat): string {
  if (format === 'json') return `${JSON.stringify(fixture, null, 2)}\n`;
  return stringify(fixture, { lineWidth: 0, aliasDuplicateObjects: false });
}
