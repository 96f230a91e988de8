// What an Adaxes caller may do, from the tenant's security roles. Built once per request: the roles whose
// assignments name the caller (directly, through a group the caller belongs to at any depth, or through the
// well-known principals Authenticated Users and Self), each permission with the activity scope it applies over.
// A right on an object is granted when some allow permission covers it and no deny permission does: deny wins, and
// what is not granted is denied (Adaxes help: SecurityRoles.SRPermissions, SecurityRoles.SROverview).
import { AUTHENTICATED_USERS, type AdaxesConfig, type OperationType, type Permission, type Right, SELF, type ScopeItem, loadAdaxesConfig } from './adaxes-config.js';
import { netbiosName } from './adaxes-auth.js';
import type { Directory } from './directory.js';
import { classifyIdentifier, dnKey } from './ids.js';
import type { DirObject, ObjectType } from './model.js';
import { parentDn } from './on-prem.js';

/** Object type names of Adaxes permissions (the objectType of a DirectoryObject). */
const PERMISSION_TYPE: Record<ObjectType, string> = {
  user: 'user',
  group: 'group',
  device: 'computer',
  orgContact: 'contact',
  administrativeUnit: 'administrativeUnit',
  servicePrincipal: 'servicePrincipal',
};

/** An object a right is checked on: an existing one, or one about to be created (no id yet). */
export interface AccessTarget {
  id?: string;
  type: ObjectType;
  dn: string | null;
}

/** The columns of the caller's groups that trustees are matched against. */
const IDENTITY_COLUMNS = ['object_guid', 'sid', 'dn_key'] as const;

interface Grant {
  permission: Permission;
  scope: ScopeItem[];
  /** Granted to Self: applies only when the target is the caller's own account. */
  selfOnly: boolean;
}

/** Rights that 'write' (Write all properties) includes: each of them is the write of a property. */
const WRITE_INCLUDES = new Set<Right>(['writeProperty', 'modifyMembership', 'manageM365Account', 'manageM365Licenses', 'enableDisableAccount', 'unlockAccount']);

function covers(granted: Right, wanted: Right, property: string | undefined, properties: readonly string[] | undefined): boolean {
  if (granted === 'fullControl') return true;
  if (granted === 'write') return wanted === 'write' || WRITE_INCLUDES.has(wanted);
  const named = (p: string) => (properties ?? []).some((x) => x.toLowerCase() === p);
  if (granted === 'writeProperty') {
    if (wanted === 'writeProperty') return !!property && named(property);
    // The member attribute is group membership.
    return wanted === 'modifyMembership' && named('member');
  }
  if (granted === 'modifyMembership') return wanted === 'modifyMembership' || (wanted === 'writeProperty' && property === 'member');
  return granted === wanted;
}

export class AdaxesAccess {
  private members = new Map<string, Promise<Set<string>>>();

  private constructor(
    private readonly dir: Directory,
    readonly caller: DirObject,
    readonly config: AdaxesConfig,
    private readonly grants: Grant[],
  ) {}

  static async of(dir: Directory, caller: DirObject): Promise<AdaxesAccess> {
    const config = await loadAdaxesConfig(dir.store);
    // The caller and every group it belongs to at any depth, matched against trustees by DN, SID, GUID or logon name
    // (identity columns only: the groups' documents are not needed). Skipped when only well-known principals are named.
    const named = config.securityRoles.some((r) => !r.disabled && r.assignments.some((a) => a.trustee !== SELF && a.trustee !== AUTHENTICATED_USERS));
    const names = new Set<string>();
    const identities = named ? await dir.containersOf(caller.id, IDENTITY_COLUMNS) : [];
    for (const p of [{ id: caller.id, object_guid: caller.objectGuid, sid: caller.sid, dn_key: caller.dn && dnKey(caller.dn) }, ...identities]) {
      for (const v of [p.id, p.object_guid, p.sid, p.dn_key]) if (v) names.add(v.toLowerCase());
    }
    const upn = typeof caller.props.userPrincipalName === 'string' ? caller.props.userPrincipalName.toLowerCase() : undefined;
    const sam = typeof caller.props.onPremisesSamAccountName === 'string' ? caller.props.onPremisesSamAccountName.toLowerCase() : undefined;
    const domain = dir.tenant.domain.toLowerCase();
    const isCallerOrGroup = (trustee: string) => {
      const t = trustee.trim().toLowerCase();
      const slash = t.indexOf('\\');
      if (slash >= 0) return !!sam && t.slice(slash + 1) === sam && [netbiosName(domain).toLowerCase(), domain].includes(t.slice(0, slash));
      if (t.includes('@') && !t.includes('=')) return t === upn;
      const ident = classifyIdentifier(trustee);
      if (!ident) return false;
      return names.has((ident.kind === 'dn' ? ident.key : ident.kind === 'sid' ? ident.sid : ident.guid).toLowerCase());
    };
    const grants: Grant[] = [];
    for (const role of config.securityRoles) {
      if (role.disabled) continue;
      for (const a of role.assignments) {
        const selfOnly = a.trustee === SELF;
        if (!selfOnly && a.trustee !== AUTHENTICATED_USERS && !isCallerOrGroup(a.trustee)) continue;
        for (const permission of role.permissions) grants.push({ permission, scope: a.scope, selfOnly });
      }
    }
    // Deny entries first: a matching one settles the question without looking at the rest.
    grants.sort((x, y) => (x.permission.access === y.permission.access ? 0 : x.permission.access === 'deny' ? -1 : 1));
    return new AdaxesAccess(dir, caller, config, grants);
  }

  operationAllowed(op: OperationType): boolean {
    return this.config.allowedOperations.includes(op);
  }

  /** Whether `right` (for writeProperty: on `property`) is granted on the target. */
  async can(right: Right, target: AccessTarget, property?: string): Promise<boolean> {
    const type = PERMISSION_TYPE[target.type];
    const prop = property?.toLowerCase();
    let allowed = false;
    for (const g of this.grants) {
      if (allowed && g.permission.access === 'allow') break;
      const p = g.permission;
      if (p.objectTypes && !p.objectTypes.includes(type)) continue;
      if (!p.rights.some((r) => covers(r, right, prop, p.properties))) continue;
      if (g.selfOnly && target.id !== this.caller.id) continue;
      if (!(await this.inScope(g.scope, target))) continue;
      if (p.access === 'deny') return false;
      allowed = true;
    }
    return allowed;
  }

  /** Objects the caller may not view do not exist for the caller. */
  canView(target: AccessTarget): Promise<boolean> {
    return this.can('read', target);
  }

  private async inScope(items: ScopeItem[], target: AccessTarget): Promise<boolean> {
    let included = false;
    for (const item of items) {
      if (item.exclude) continue;
      if (await this.matches(item, target)) {
        included = true;
        break;
      }
    }
    if (!included) return false;
    for (const item of items) if (item.exclude && (await this.matches(item, target))) return false;
    return true;
  }

  private async matches(item: ScopeItem, target: AccessTarget): Promise<boolean> {
    if (item.type === 'all') return true;
    const key = target.dn ? dnKey(target.dn) : null;
    const base = dnKey(item.dn);
    if (item.type === 'object') return !!key && key === base;
    if (item.type === 'container') {
      if (!key || !base) return false;
      return item.inheritance === 'oneLevel' ? dnKey(parentDn(target.dn!)) === base : key.endsWith(`,${base}`);
    }
    if (!target.id) return false;
    return (await this.membersOf(item.dn, !!item.includeIndirect)).has(target.id);
  }

  private membersOf(groupDn: string, indirect: boolean): Promise<Set<string>> {
    const k = `${dnKey(groupDn)}|${indirect}`;
    let found = this.members.get(k);
    if (!found) {
      found = (async () => {
        const group = await this.dir.byDn(groupDn);
        if (!group || group.type !== 'group') return new Set<string>();
        const rows = await (indirect ? this.dir.transitiveTargetsOf(group.id) : this.dir.targetsOf('member', group.id)).execute();
        return new Set(rows.map((r) => r.id));
      })();
      this.members.set(k, found);
    }
    return found;
  }
}
