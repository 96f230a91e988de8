// From a fixture's data to the rows of a tenant, checking everything before anything is written: the shape against
// the shipped JSON Schema, every property name against the CSDL, every reference, SKU, service plan and unit count,
// every uniqueness rule. Problems are collected with their place in the file; one problem refuses the whole file.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import schema from './tenant-fixture.schema.json' with { type: 'json' };
import { nameGuid } from '../directory/ids.js';
import { isGuid, classifyIdentifier, dnKey } from '../directory/ids.js';
import type { Facet, LinkKind, NewObject, ObjectType, Props } from '../directory/model.js';
import { altKeyOf } from '../directory/model.js';
import type { TenantInfo } from '../directory/directory.js';
import type { ServicePlan } from '../directory/documents.js';
import { catalogPlan, catalogServicePlans, catalogSku, planIdsNamed } from '../directory/license-catalog.js';
import { parseAdaxesConfig, type AdaxesConfig, SELF, AUTHENTICATED_USERS } from '../directory/adaxes-config.js';
import { DirectoryError } from '../directory/model.js';
import { hasResource, resource } from '../schema/resources.js';
import type { NewSkuRow } from '../directory/tenant-tables.js';
import type { ConsentsTable, UsageRightsTable } from '../store/schema.js';
import type { AppRow } from '../directory/tenant-tables.js';
import { keyCredentialOf, type StoredKeyCredential } from '../directory/key-credentials.js';
import { MAX_REDIRECT_URIS, REDIRECT_PLATFORMS, redirectUriProblem, type RedirectUris } from '../directory/redirect-uris.js';
import { roleTemplate } from '../directory/directory-roles.js';
import { FixtureError, type FixtureIssue, type FixtureSource, type Path } from './fixture-source.js';
import { defaultDn } from '../directory/identity.js';
import { ON_PREMISES_ONLY, PENDING_M365 } from '../directory/on-prem-state.js';

/** Where a section's objects live in the directory and which of its keys are relations. */
export interface SectionSpec {
  type: ObjectType;
  facet: Facet | null;
  relations: Record<string, LinkKind>;
  /** Object types each relation may name (by the object's section). */
  targets: Record<string, readonly string[]>;
}

const USERS = ['users', 'educationUsers'] as const;
export const SECTIONS: Record<string, SectionSpec> = {
  users: { type: 'user', facet: null, relations: {}, targets: {} },
  educationUsers: { type: 'user', facet: 'educationUser', relations: {}, targets: {} },
  groups: {
    type: 'group',
    facet: null,
    relations: { members: 'member', owners: 'owner' },
    targets: { members: [...USERS, 'groups', 'classes', 'devices', 'contacts', 'servicePrincipals', 'applications'], owners: [...USERS, 'servicePrincipals', 'applications'] },
  },
  classes: { type: 'group', facet: 'educationClass', relations: { members: 'member', teachers: 'owner' }, targets: { members: USERS, teachers: USERS } },
  administrativeUnits: { type: 'administrativeUnit', facet: null, relations: { members: 'member' }, targets: { members: [...USERS, 'groups', 'classes', 'devices'] } },
  schools: { type: 'administrativeUnit', facet: 'educationSchool', relations: { users: 'member', classes: 'schoolClass' }, targets: { users: USERS, classes: ['classes'] } },
  devices: {
    type: 'device',
    facet: null,
    relations: { registeredOwners: 'registeredOwner', registeredUsers: 'registeredUser' },
    targets: { registeredOwners: USERS, registeredUsers: USERS },
  },
  contacts: { type: 'orgContact', facet: null, relations: {}, targets: {} },
  servicePrincipals: { type: 'servicePrincipal', facet: null, relations: {}, targets: {} },
};
/** Sections in the order they are written and exported. */
export const SECTION_ORDER = ['users', 'educationUsers', 'groups', 'classes', 'administrativeUnits', 'schools', 'devices', 'contacts', 'servicePrincipals'] as const;

/** Keys of an object entry that are not Graph properties. */
export const IDENTITY_KEYS = ['id', 'dn', 'objectGuid', 'sid'] as const;
const USER_KEYS = ['password', 'passwordHash', 'licenses', 'directoryRoles', 'consents', 'manager'];
/** Sections a user's manager may be in (Learn: user-post-manager.md, a user or an organisational contact). */
const MANAGERS = [...USERS, 'contacts'] as const;
const ROLE_HOLDER_KEYS = ['directoryRoles'];
const DEVICE_KEYS = ['usageRights'];
/** Facts the core keeps on a user's property bag that are not Graph properties (see on-prem-state.ts). */
const STORED_MARKERS = new Set([ON_PREMISES_ONLY, PENDING_M365]);
const SYNC_PROPS = ['onPremisesDistinguishedName', 'onPremisesSecurityIdentifier', 'onPremisesImmutableId', 'onPremisesDomainName', 'onPremisesUserPrincipalName', 'onPremisesLastSyncDateTime'];

export interface PlannedPassword {
  keyId: string;
  displayName: string | null;
  hint: string;
  secret?: string;
  hash?: string;
  startDateTime: string;
  endDateTime: string;
}

/** Ids derived from names, as the demo tenant has always had them. */
export const derived = {
  tenantId: (domain: string) => nameGuid(`tenant:${domain.toLowerCase()}`),
  id: (type: ObjectType, displayName: string) => nameGuid(`${type}:${displayName}`),
  objectGuid: (type: ObjectType, displayName: string) => nameGuid(`objectGUID:${type}:${displayName}`),
  appId: (displayName: string) => nameGuid(`app:${displayName}`),
  deviceId: (displayName: string) => nameGuid(`deviceId:${displayName}`),
  usageRightId: (device: string, index: number) => nameGuid(`usageRight:${device}:${index}`),
  credentialKeyId: (appId: string, kind: 'key' | 'password', index: number) => nameGuid(`${kind}Credential:${appId}:${index}`),
  subscriptionId: (partNumber: string) => nameGuid(`subscription:${partNumber}`),
  domainSid(domain: string) {
    const h = Buffer.from(nameGuid(`domainSid:${domain.toLowerCase()}`).replace(/-/g, ''), 'hex');
    return `S-1-5-21-${h.readUInt32BE(0)}-${h.readUInt32BE(4)}-${h.readUInt32BE(8)}`;
  },
};

export interface LoadPlan {
  tenant: TenantInfo;
  skus: NewSkuRow[];
  objects: (NewObject & { id: string })[];
  links: { kind: LinkKind; source: string; target: string }[];
  licenseAssignments: { user_id: string; sku_id: string; disabled_plans: string; assigned_at: string | null }[];
  /** Plain passwords are hashed by the loader (once per distinct password). */
  credentials: { user_id: string; password?: string; passwordHash?: string }[];
  apps: (Omit<AppRow, 'secret_hash' | 'password_credentials'> & { secret?: string; secretHash: string; passwordCredentials: PlannedPassword[] })[];
  /** Role template ids to activate, and the members of each. */
  directoryRoles: { templateId: string; members: string[] }[];
  consents: ConsentsTable[];
  usageRights: UsageRightsTable[];
  adaxes: AdaxesConfig | undefined;
  /** Synchronised users declared without their on-premises properties: the loader fills them from the identity it gives them. */
  syncFill: string[];
}

// Compiled when the first fixture is read: compiling the schema took 180 ms of every server's start-up.
let compiled: ValidateFunction | undefined;
const shapeValidator = () => (compiled ??= new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema));

type Obj = Record<string, unknown>;

function pathOf(e: ErrorObject): Path {
  const parts = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const path: (string | number)[] = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if (e.keyword === 'additionalProperties') path.push(String(e.params.additionalProperty));
  return path;
}

function shapeMessage(e: ErrorObject): string {
  const at = e.instancePath ? e.instancePath.split('/').pop() : 'the fixture';
  if (e.keyword === 'additionalProperties') return `'${String(e.params.additionalProperty)}' is not a fixture key here.`;
  if (e.keyword === 'required') return `'${String(e.params.missingProperty)}' is required.`;
  if (e.keyword === 'enum') return `'${at}' must be one of ${(e.params.allowedValues as unknown[]).map(String).join(', ')}.`;
  return `'${at}' ${e.message ?? 'is not valid'}.`;
}

interface Entry {
  section: string;
  index: number;
  id: string;
  type: ObjectType;
  upn?: string;
  name: string;
  path: Path;
}

/** Checks a parsed fixture and turns it into the rows to write; throws FixtureError listing every problem. */
export function planFixture(src: FixtureSource): LoadPlan {
  const issues: FixtureIssue[] = [];
  const problem = (path: Path, message: string) => issues.push({ where: src.where(path), path, message });
  const data = src.data;
  const validateShape = shapeValidator();
  if (!validateShape(data)) {
    const seen = new Set<string>();
    for (const e of validateShape.errors ?? []) {
      const path = pathOf(e);
      const message = shapeMessage(e);
      const key = `${path.join('/')}|${message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      problem(path, message);
    }
    throw new FixtureError(issues);
  }
  const f = data as Obj;
  const t = f.tenant as Obj;
  const domain = String(t.domain).toLowerCase();
  const tenant: TenantInfo = {
    id: ((t.id as string | undefined) ?? derived.tenantId(domain)).toLowerCase(),
    domain,
    displayName: (t.displayName as string | undefined) ?? domain,
    domainSid: ((t.domainSid as string | undefined) ?? derived.domainSid(domain)).toUpperCase(),
  };

  // ── objects: identities, properties, uniqueness ─────────────────────────
  const objects: LoadPlan['objects'] = [];
  const syncFill: string[] = [];
  const entries: Entry[] = [];
  const byId = new Map<string, Entry>();
  const byUpn = new Map<string, Entry>();
  const byName = new Map<string, Entry[]>();
  const unique = new Map<string, Path>();
  const claim = (what: string, value: string | null | undefined, path: Path) => {
    if (!value) return;
    const key = `${what}\u0000${value.toLowerCase()}`;
    const first = unique.get(key);
    if (first) problem(path, `${what} '${value}' is already used at ${src.where(first)}.`);
    else unique.set(key, path);
  };
  const addObject = (section: string, index: number, entry: Obj, path: Path, type: ObjectType, facet: Facet | null, propsIn: Obj) => {
    const name = String(propsIn.displayName ?? entry.displayName);
    const id = ((entry.id as string | undefined) ?? derived.id(type, name)).toLowerCase();
    const props: Props = { ...propsIn };
    checkProperties(props, type, facet, path, problem);
    fillDefaults(props, type, facet, name, domain);
    const obj: NewObject & { id: string } = {
      id,
      type,
      facet,
      objectGuid: ((entry.objectGuid as string | undefined) ?? derived.objectGuid(type, name)).toLowerCase(),
      props,
    };
    if (entry.dn !== undefined) {
      if (entry.dn !== null && !dnKey(String(entry.dn))) problem([...path, 'dn'], `'${String(entry.dn)}' is not a distinguished name.`);
      obj.dn = entry.dn as string | null;
    }
    if (entry.sid !== undefined) obj.sid = String(entry.sid).toUpperCase();
    claim('The id', id, entry.id !== undefined ? [...path, 'id'] : path);
    claim('The objectGUID', obj.objectGuid, entry.objectGuid !== undefined ? [...path, 'objectGuid'] : path);
    claim('The SID', obj.sid, [...path, 'sid']);
    if (obj.dn) claim('The distinguished name', dnKey(obj.dn), [...path, 'dn']);
    const alt = altKeyOf(type, props);
    claim(type === 'user' ? 'The userPrincipalName' : type === 'device' ? 'The deviceId' : 'The appId', alt, path);
    objects.push(obj);
    if (type === 'user' && props.onPremisesSyncEnabled === true && SYNC_PROPS.some((k) => props[k] === undefined)) syncFill.push(id);
    const e: Entry = { section, index, id, type, name, path, upn: type === 'user' ? String(props.userPrincipalName).toLowerCase() : undefined };
    entries.push(e);
    byId.set(id, e);
    if (e.upn) byUpn.set(e.upn, e);
    byName.set(name, [...(byName.get(name) ?? []), e]);
  };

  for (const section of SECTION_ORDER) {
    const spec = SECTIONS[section];
    const list = (f[section] as Obj[] | undefined) ?? [];
    list.forEach((entry, i) => {
      const path = [section, i];
      const reserved = new Set<string>([...IDENTITY_KEYS, ...Object.keys(spec.relations), ...(spec.type === 'user' ? USER_KEYS : []), ...(spec.type === 'device' ? DEVICE_KEYS : []), ...(spec.type === 'servicePrincipal' ? ROLE_HOLDER_KEYS : [])]);
      const props = Object.fromEntries(Object.entries(entry).filter(([k]) => !reserved.has(k)));
      addObject(section, i, entry, path, spec.type, spec.facet, props);
    });
  }
  const apps = (f.applications as Obj[] | undefined) ?? [];
  const appRows: LoadPlan['apps'] = [];
  apps.forEach((a, i) => {
    const path = ['applications', i];
    const displayName = String(a.displayName);
    const appId = ((a.appId as string | undefined) ?? derived.appId(displayName)).toLowerCase();
    const sp = (a.servicePrincipal as Obj | undefined) ?? {};
    const spProps = Object.fromEntries(Object.entries(sp).filter(([k]) => !(IDENTITY_KEYS as readonly string[]).includes(k) && !ROLE_HOLDER_KEYS.includes(k)));
    if (spProps.appId !== undefined && String(spProps.appId).toLowerCase() !== appId) problem([...path, 'servicePrincipal', 'appId'], `The service principal's appId must be the application's (${appId}).`);
    const props: Obj = spProps.appId === undefined ? { ...defaultServicePrincipal(displayName, appId), ...spProps } : spProps;
    const before = objects.length;
    addObject('applications', i, sp, [...path, 'servicePrincipal'], 'servicePrincipal', null, props);
    if (a.clientSecret !== undefined && a.clientSecretHash !== undefined) problem([...path, 'clientSecretHash'], 'Give clientSecret or clientSecretHash, not both.');
    const keyCredentials: StoredKeyCredential[] = [];
    ((a.keyCredentials as Obj[] | undefined) ?? []).forEach((k, n) => {
      try {
        keyCredentials.push(
          keyCredentialOf({
            certificate: String(k.key),
            keyId: (k.keyId as string | undefined) ?? derived.credentialKeyId(appId, 'key', n),
            displayName: k.displayName as string | undefined,
            startDateTime: k.startDateTime as string | undefined,
            endDateTime: k.endDateTime as string | undefined,
          }),
        );
      } catch (err) {
        if (!(err instanceof DirectoryError)) throw err;
        problem([...path, 'keyCredentials', n, 'key'], 'Not a certificate (PEM or base64 DER).');
      }
    });
    const now = new Date().toISOString();
    const passwordCredentials: PlannedPassword[] = ((a.passwordCredentials as Obj[] | undefined) ?? []).map((p, n) => {
      if ((p.secret === undefined) === (p.hash === undefined)) problem([...path, 'passwordCredentials', n], "Give the secret or its hash ('secret' or 'hash').");
      const start = (p.startDateTime as string | undefined) ?? now;
      return {
        keyId: ((p.keyId as string | undefined) ?? derived.credentialKeyId(appId, 'password', n)).toLowerCase(),
        displayName: (p.displayName as string | undefined) ?? null,
        hint: (p.hint as string | undefined) ?? String(p.secret ?? '').slice(0, 3),
        secret: p.secret as string | undefined,
        hash: p.hash as string | undefined,
        startDateTime: start,
        endDateTime: (p.endDateTime as string | undefined) ?? new Date(Date.parse(start) + 2 * 365 * 86_400_000).toISOString(),
      };
    });
    const declared = (a.redirectUris as Partial<RedirectUris> | undefined) ?? {};
    for (const platform of REDIRECT_PLATFORMS)
      (declared[platform] ?? []).forEach((uri, n) => {
        const why = redirectUriProblem(uri, platform);
        if (why) problem([...path, 'redirectUris', platform, n], why);
      });
    if (REDIRECT_PLATFORMS.reduce((sum, p) => sum + (declared[p]?.length ?? 0), 0) > MAX_REDIRECT_URIS)
      problem([...path, 'redirectUris'], `An application has at most ${MAX_REDIRECT_URIS} redirect URIs.`);
    appRows.push({
      key_credentials: JSON.stringify(keyCredentials),
      web_redirect_uris: JSON.stringify(declared.web ?? []),
      spa_redirect_uris: JSON.stringify(declared.spa ?? []),
      public_client_redirect_uris: JSON.stringify(declared.publicClient ?? []),
      passwordCredentials,
      client_id: appId,
      display_name: displayName,
      service_principal_id: objects[before].id,
      secret: a.clientSecret as string | undefined,
      secretHash: (a.clientSecretHash as string | undefined) ?? '',
      app_roles: JSON.stringify(a.applicationPermissions ?? []),
      scopes: JSON.stringify(a.delegatedScopes ?? []),
      public_client: a.publicClient ? 1 : 0,
    });
  });

  const resolve = (ref: string, path: Path, allowed: readonly string[]): Entry | undefined => {
    const r = ref.trim();
    let hit: Entry | undefined;
    if (isGuid(r)) hit = byId.get(r.toLowerCase());
    else if (r.includes('@')) hit = byUpn.get(r.toLowerCase());
    else {
      const named = byName.get(r) ?? [];
      if (named.length > 1) {
        problem(path, `'${r}' names ${named.length} objects (${named.map((e) => src.where(e.path)).join(', ')}); name it by id.`);
        return undefined;
      }
      hit = named[0];
    }
    if (!hit) {
      problem(path, `'${r}' is not an object of this fixture (by id, userPrincipalName or displayName).`);
      return undefined;
    }
    if (!allowed.includes(hit.section)) {
      problem(path, `'${r}' is ${article(hit.section)} and cannot be named here (allowed: ${allowed.join(', ')}).`);
      return undefined;
    }
    return hit;
  };

  // ── relations ────────────────────────────────────────────────────────────
  const links: LoadPlan['links'] = [];
  for (const section of SECTION_ORDER) {
    const spec = SECTIONS[section];
    ((f[section] as Obj[] | undefined) ?? []).forEach((entry, i) => {
      const self = entries.find((e) => e.section === section && e.index === i)!;
      for (const [key, kind] of Object.entries(spec.relations)) {
        const refs = (entry[key] as string[] | undefined) ?? [];
        refs.forEach((ref, k) => {
          const target = resolve(ref, [section, i, key, k], spec.targets[key]);
          if (!target) return;
          if (target.id === self.id) return problem([section, i, key, k], 'An object cannot be a member of itself.');
          links.push({ kind, source: self.id, target: target.id });
        });
      }
    });
  }
  // A user's manager: one reference. A reporting line may loop back: Learn's user-post-manager.md states no rule against it.
  for (const section of USERS)
    ((f[section] as Obj[] | undefined) ?? []).forEach((entry, i) => {
      if (entry.manager === undefined) return;
      const self = entries.find((e) => e.section === section && e.index === i)!;
      const target = resolve(String(entry.manager), [section, i, 'manager'], MANAGERS);
      if (!target) return;
      if (target.id === self.id) return problem([section, i, 'manager'], 'A user cannot be their own manager.');
      links.push({ kind: 'manager', source: self.id, target: target.id });
    });
  const seenLink = new Set<string>();
  for (const l of links) {
    const k = `${l.kind}|${l.source}|${l.target}`;
    if (seenLink.has(k)) problem([], `${l.target} is named twice as ${l.kind} of ${l.source}.`);
    seenLink.add(k);
  }

  // ── directory roles (by display name or template id) and consents ──────
  const roles = new Map<string, Set<string>>();
  const activate = (name: string, path: Path): string | undefined => {
    const t = roleTemplate(name);
    if (!t) return void problem(path, `'${name}' is not a built-in directory role.`);
    if (!roles.has(t.id)) roles.set(t.id, new Set());
    return t.id;
  };
  ((f.directoryRoles as string[] | undefined) ?? []).forEach((name, i) => activate(name, ['directoryRoles', i]));
  const holders: [Path, Obj, string][] = [];
  for (const section of [...USERS, 'servicePrincipals'])
    ((f[section] as Obj[] | undefined) ?? []).forEach((entry, i) => holders.push([[section, i], entry, entries.find((e) => e.section === section && e.index === i)!.id]));
  apps.forEach((a, i) => holders.push([['applications', i, 'servicePrincipal'], (a.servicePrincipal as Obj | undefined) ?? {}, appRows[i].service_principal_id]));
  for (const [path, entry, id] of holders)
    ((entry.directoryRoles as string[] | undefined) ?? []).forEach((name, k) => {
      const t = activate(name, [...path, 'directoryRoles', k]);
      if (t) roles.get(t)!.add(id);
    });
  const consents: ConsentsTable[] = [];
  for (const section of USERS)
    ((f[section] as Obj[] | undefined) ?? []).forEach((u, i) => {
      const self = entries.find((e) => e.section === section && e.index === i)!;
      ((u.consents as Obj[] | undefined) ?? []).forEach((c, k) => {
        const ref = String(c.app);
        const app = appRows.filter((a) => a.client_id === ref.toLowerCase() || a.display_name === ref);
        if (app.length !== 1) return problem([...path(section, i), 'consents', k, 'app'], app.length ? `'${ref}' names ${app.length} applications; name it by appId.` : `'${ref}' is not an application of this fixture.`);
        if (consents.some((x) => x.user_id === self.id && x.client_id === app[0].client_id)) return problem([...path(section, i), 'consents', k, 'app'], `The consent to '${ref}' is given twice.`);
        consents.push({ user_id: self.id, client_id: app[0].client_id, scopes: JSON.stringify(c.scopes ?? []) });
      });
    });

  // ── subscriptions and licences ──────────────────────────────────────────
  const skus: NewSkuRow[] = [];
  const skuPlans = new Map<string, ServicePlan[]>();
  const skuByRef = new Map<string, NewSkuRow>();
  ((f.subscribedSkus as Obj[] | undefined) ?? []).forEach((s, i) => {
    const path = ['subscribedSkus', i];
    const ref = String(s.sku);
    let skuId: string;
    let partNumber: string;
    let displayName: string;
    let plans: ServicePlan[];
    if (s.servicePlans !== undefined) {
      if (!isGuid(ref)) return problem([...path, 'sku'], 'A SKU declared with its servicePlans is named by its skuId (a GUID).');
      if (s.skuPartNumber === undefined) return problem(path, "A SKU declared with its servicePlans needs 'skuPartNumber'.");
      skuId = ref.toLowerCase();
      partNumber = String(s.skuPartNumber);
      displayName = (s.displayName as string | undefined) ?? partNumber;
      plans = (s.servicePlans as Obj[]).map((p) => ({
        servicePlanId: String(p.servicePlanId).toLowerCase(),
        servicePlanName: String(p.servicePlanName),
        displayName: (p.displayName as string | undefined) ?? String(p.servicePlanName),
        appliesTo: (p.appliesTo as string | undefined) ?? 'User',
        provisioningStatus: (p.provisioningStatus as string | undefined) ?? 'Success',
        isAutoAssignable: p.isAutoAssignable === true,
      }));
      // A plan Microsoft publishes keeps its one GUID in a SKU of your own too.
      plans.forEach((p, k) => {
        const published = planIdsNamed(p.servicePlanName);
        if (!catalogPlan(p.servicePlanId) && published.length)
          problem([...path, 'servicePlans', k, 'servicePlanId'], `Service plan ${p.servicePlanName} is ${published.join(' or ')} in Microsoft's licensing reference.`);
      });
    } else {
      const hit = catalogSku(ref);
      if ('error' in hit) {
        return problem(
          [...path, 'sku'],
          hit.error === 'ambiguous'
            ? `Part number '${ref}' names ${hit.candidates!.length} SKUs in Microsoft's licensing reference (${hit.candidates!.join(', ')}); name it by skuId.`
            : `'${ref}' is neither a skuId nor a part number in Microsoft's licensing reference; declare a SKU of your own with skuId, skuPartNumber and servicePlans.`,
        );
      }
      if (s.skuPartNumber !== undefined && String(s.skuPartNumber) !== hit.sku.partNumber)
        problem([...path, 'skuPartNumber'], `SKU ${hit.sku.skuId} is ${hit.sku.partNumber} in Microsoft's licensing reference.`);
      skuId = hit.sku.skuId;
      partNumber = hit.sku.partNumber;
      displayName = (s.displayName as string | undefined) ?? hit.sku.displayName;
      plans = catalogServicePlans(hit.sku);
    }
    if (skuPlans.has(skuId)) return problem([...path, 'sku'], `SKU ${partNumber} (${skuId}) is subscribed twice.`);
    const row: NewSkuRow = {
      sku_id: skuId,
      sku_part_number: partNumber,
      display_name: displayName,
      applies_to: (s.appliesTo as string | undefined) ?? 'User',
      capability_status: (s.capabilityStatus as string | undefined) ?? 'Enabled',
      prepaid_enabled: Number(s.units),
      prepaid_suspended: Number(s.suspendedUnits ?? 0),
      prepaid_warning: Number(s.warningUnits ?? 0),
      prepaid_locked_out: Number(s.lockedOutUnits ?? 0),
      account_id: tenant.id,
      account_name: (s.accountName as string | undefined) ?? tenant.displayName,
      subscription_ids: JSON.stringify((s.subscriptionIds as string[] | undefined) ?? [derived.subscriptionId(partNumber)]),
      service_plans: JSON.stringify(plans),
    };
    skus.push(row);
    skuPlans.set(skuId, plans);
    skuByRef.set(skuId, row);
    const pn = partNumber.toLowerCase();
    skuByRef.set(pn, skuByRef.has(pn) ? ({ ambiguous: true } as unknown as NewSkuRow) : row);
  });

  const licenseAssignments: LoadPlan['licenseAssignments'] = [];
  const credentials: LoadPlan['credentials'] = [];
  const used = new Map<string, number>();
  for (const section of USERS) {
    ((f[section] as Obj[] | undefined) ?? []).forEach((u, i) => {
      const path = [section, i];
      const self = entries.find((e) => e.section === section && e.index === i)!;
      if (u.password !== undefined && u.passwordHash !== undefined) problem([...path, 'passwordHash'], 'Give password or passwordHash, not both.');
      if (u.password !== undefined || u.passwordHash !== undefined) credentials.push({ user_id: self.id, password: u.password as string | undefined, passwordHash: u.passwordHash as string | undefined });
      const held = new Set<string>();
      ((u.licenses as Obj[] | undefined) ?? []).forEach((l, k) => {
        const lp = [...path, 'licenses', k];
        const sku = skuByRef.get(String(l.sku).toLowerCase());
        if (!sku || !sku.sku_id) return problem([...lp, 'sku'], sku ? `Part number '${String(l.sku)}' is subscribed twice; name the SKU by skuId.` : `'${String(l.sku)}' is not one of the fixture's subscribedSkus.`);
        if (held.has(sku.sku_id)) return problem([...lp, 'sku'], `License ${sku.sku_id} is named more than once.`);
        held.add(sku.sku_id);
        const plans = skuPlans.get(sku.sku_id)!;
        const disabled = new Set<string>();
        ((l.disabledPlans as string[] | undefined) ?? []).forEach((p, d) => {
          const hit = plans.find((x) => x.servicePlanId === p.toLowerCase() || x.servicePlanName.toLowerCase() === p.toLowerCase());
          if (!hit) return problem([...lp, 'disabledPlans', d], `Service plan ${p} is not part of the license ${sku.sku_part_number} (${sku.sku_id}).`);
          disabled.add(hit.servicePlanId);
        });
        const at = l.assignedDateTime as string | undefined;
        if (at !== undefined && Number.isNaN(Date.parse(at))) problem([...lp, 'assignedDateTime'], `'${at}' is not a date and time.`);
        used.set(sku.sku_id, (used.get(sku.sku_id) ?? 0) + 1);
        if (used.get(sku.sku_id)! === sku.prepaid_enabled + 1) problem(lp, `Subscription with SKU ${sku.sku_id} does not have any available licenses (${sku.prepaid_enabled} units).`);
        licenseAssignments.push({ user_id: self.id, sku_id: sku.sku_id, disabled_plans: JSON.stringify(plans.map((p) => p.servicePlanId).filter((id) => disabled.has(id))), assigned_at: at ?? null });
      });
      const loc = u.usageLocation;
      if (held.size && (typeof loc !== 'string' || !/^[A-Za-z]{2}$/.test(loc))) problem([...path, 'licenses'], 'License assignment cannot be done for user with invalid usage location.');
    });
  }

  // ── devices' usage rights ───────────────────────────────────────────────
  const usageRights: UsageRightsTable[] = [];
  ((f.devices as Obj[] | undefined) ?? []).forEach((d, i) => {
    const self = entries.find((e) => e.section === 'devices' && e.index === i)!;
    ((d.usageRights as Obj[] | undefined) ?? []).forEach((r, k) => {
      const id = ((r.id as string | undefined) ?? derived.usageRightId(self.name, k)).toLowerCase();
      claim('The usage right id', id, ['devices', i, 'usageRights', k]);
      usageRights.push({ id, device_id: self.id, catalog_id: String(r.catalogId), service_identifier: String(r.serviceIdentifier), state: String(r.state) });
    });
  });

  // ── Adaxes: the configuration, and the users and groups its roles name ──
  let adaxes: AdaxesConfig | undefined;
  if (f.adaxes !== undefined) {
    try {
      adaxes = parseAdaxesConfig(f.adaxes);
    } catch (err) {
      if (!(err instanceof DirectoryError)) throw err;
      problem(['adaxes', ...adaxesPath(err.message)], err.message);
    }
    if (adaxes) {
      // A trustee named by DN, GUID or SID must be an object of the fixture (its DN as it will be stored).
      const dns = new Set(objects.filter((o) => o.dn !== null).map((o) => dnKey(o.dn ?? defaultDn(o, o.id, tenant))));
      const guids = new Set(objects.flatMap((o) => [o.id, o.objectGuid ?? '']));
      const sids = new Set(objects.map((o) => o.sid).filter(Boolean));
      adaxes.securityRoles.forEach((role, r) =>
        role.assignments.forEach((a, k) => {
          const tp = ['adaxes', 'securityRoles', r, 'assignments', k, 'trustee'];
          if (a.trustee === SELF || a.trustee === AUTHENTICATED_USERS) return;
          const ident = classifyIdentifier(a.trustee);
          const found = !ident || (ident.kind === 'dn' ? dns.has(ident.key) : ident.kind === 'guid' ? guids.has(ident.guid) : sids.has(ident.sid));
          if (!found) problem(tp, `Trustee '${a.trustee}' is not an object of this fixture.`);
        }),
      );
    }
  }

  if (issues.length) throw new FixtureError(inFileOrder(issues));
  return { tenant, skus, objects, links, licenseAssignments, credentials, apps: appRows, usageRights, adaxes, syncFill, consents, directoryRoles: [...roles].map(([templateId, members]) => ({ templateId, members: [...members] })) };
}

/** Problems by line in a YAML file (a JSON pointer has no line: found order). */
function inFileOrder(issues: FixtureIssue[]): FixtureIssue[] {
  const line = (i: FixtureIssue) => Number(/:(\d+)$/.exec(i.where)?.[1] ?? 0);
  return issues.map((i, k) => ({ i, k })).sort((a, b) => line(a.i) - line(b.i) || a.k - b.k).map((x) => x.i);
}

const path = (section: string, i: number): Path => [section, i];

const article = (section: string) =>
  ({ users: 'a user', educationUsers: 'an education user', groups: 'a group', classes: 'a class', administrativeUnits: 'an administrative unit', schools: 'a school', devices: 'a device', contacts: 'a contact', servicePrincipals: 'a service principal', applications: "an application's service principal" })[section] ?? section;

/** `securityRoles[2].permissions[0].rights: …` → ['securityRoles', 2, 'permissions', 0, 'rights']. */
function adaxesPath(message: string): Path {
  const m = /^([A-Za-z]+(?:\[\d+\]|\.[A-Za-z]+)*)/.exec(message);
  if (!m || !/[[.]/.test(m[1])) return /^(securityRoles|allowedOperations|directorySync)\b/.exec(message) ? [message.split(/[^A-Za-z]/)[0]] : [];
  const out: (string | number)[] = [];
  for (const part of m[1].matchAll(/([A-Za-z]+)|\[(\d+)\]/g)) out.push(part[1] ?? Number(part[2]));
  return out;
}

function checkProperties(props: Props, type: ObjectType, facet: Facet | null, path: Path, problem: (p: Path, m: string) => void) {
  const known = [resource(type).properties, ...(facet && hasResource(facet) ? [resource(facet).properties] : [])];
  for (const name of Object.keys(props)) {
    if (STORED_MARKERS.has(name)) continue;
    if (!known.some((k) => Object.prototype.hasOwnProperty.call(k, name))) problem([...path, name], `'${name}' is not a property of ${facet ?? type}.`);
  }
}

/** What a short fixture may leave out and Graph always has. Only absent keys are filled, so exports load back as they are. */
function fillDefaults(props: Props, type: ObjectType, facet: Facet | null, name: string, domain: string) {
  const nick = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  props.displayName ??= name;
  if (type === 'user') {
    props.accountEnabled ??= true;
    props.mailNickname ??= String(props.userPrincipalName).split('@')[0];
    props.userType ??= 'Member';
  } else if (type === 'group') {
    const unified = facet === 'educationClass' || (Array.isArray(props.groupTypes) && props.groupTypes.includes('Unified'));
    props.groupTypes ??= unified ? ['Unified'] : [];
    props.securityEnabled ??= !unified;
    props.mailEnabled ??= unified;
    props.mailNickname ??= nick(name);
    if (unified) props.mail ??= `${props.mailNickname as string}@${domain}`;
  } else if (type === 'device') {
    props.accountEnabled ??= true;
    props.deviceId ??= derived.deviceId(name);
  } else if (type === 'servicePrincipal') {
    props.accountEnabled ??= true;
  }
}

function defaultServicePrincipal(name: string, appId: string): Props {
  return {
    accountEnabled: true,
    appDisplayName: name,
    appId,
    displayName: name,
    servicePrincipalNames: [appId],
    servicePrincipalType: 'Application',
    signInAudience: 'AzureADMyOrg',
    tags: [],
    replyUrls: [],
  };
}
