// Helpers for the security-role tests: a configuration under test, callers with account tokens, fresh AD objects.
import { DEMO_ADAXES_CONFIG } from '../../src/directory/adaxes-demo-config.js';
import { OPERATION_TYPES } from '../../src/directory/adaxes-config.js';
import { call, type Reply } from './client.js';

export const LAB = 'OU=Lab,DC=example,DC=com';
export const OTHER = 'OU=Other,DC=example,DC=com';
export const TRUSTEES = 'OU=Trustees,DC=example,DC=com';
export const LAB_GROUP = 'CN=Lab Group,OU=Groups,DC=example,DC=com';
export const PASSWORD = 'Role!Test42';

const demoRole = (name: string) => DEMO_ADAXES_CONFIG.securityRoles.find((r) => r.name === name)!;
/** The demo's administrators role, kept in every configuration under test so that setup calls keep working. */
export const ADMINISTRATORS = demoRole('Administrators');
export const DOMAIN_USER = demoRole('Domain User');

export const prop = (name: string, value: string) => ({ propertyName: name, propertyType: 'String', values: [value] });

let serial = 0;
export const unique = (stem: string) => `${stem} ${process.pid % 1000}-${++serial}`;

export class Lab {
  constructor(
    readonly base: string,
    readonly adminToken: string,
  ) {}

  api = (method: string, path: string, body?: unknown, token = this.adminToken): Promise<Reply> => call(this.base, method, path, { token, body });

  async configure(config: unknown): Promise<void> {
    const r = await call(this.base, 'PUT', '/admin/adaxes/configuration', { body: config });
    if (r.status !== 200) throw new Error(`configure: ${r.status} ${JSON.stringify(r.body)}`);
  }

  /** Roles under test next to the administrators role; every REST operation allowed unless said otherwise. */
  configureRoles(roles: unknown[], allowedOperations: readonly string[] = OPERATION_TYPES): Promise<void> {
    return this.configure({ securityRoles: [ADMINISTRATORS, ...roles], allowedOperations });
  }

  /** A user created by the administrator through the API (synchronised at once: the demo's sync rule). */
  async user(container: string, stem = 'User'): Promise<{ dn: string; upn: string }> {
    const cn = unique(stem);
    const nick = cn.toLowerCase().replace(/[^a-z0-9]+/g, '.');
    const upn = `${nick}@example.com`;
    const r = await this.api('POST', '/api/directoryObjects', {
      createIn: container,
      objectType: 'user',
      properties: [prop('cn', cn), prop('userPrincipalName', upn), prop('sAMAccountName', nick.replace(/\./g, '').slice(0, 20)), { propertyName: 'unicodePwd', propertyType: 'String', values: [`"${PASSWORD}"`] }],
      m365: { locationName: 'US' },
    });
    if (r.body?.resultType !== 0) throw new Error(`create user: ${r.status} ${JSON.stringify(r.body)}`);
    return { dn: r.body.actualObjectDN, upn };
  }

  async group(container: string, stem = 'Team'): Promise<string> {
    const r = await this.api('POST', '/api/directoryObjects', { createIn: container, objectType: 'group', properties: [prop('cn', unique(stem))] });
    if (r.body?.resultType !== 0) throw new Error(`create group: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.actualObjectDN;
  }

  async addMember(group: string, member: string): Promise<void> {
    const r = await this.api('POST', '/api/directoryObjects/groupMembers', { group, newMember: member });
    if (r.body?.resultType !== 0) throw new Error(`add member: ${r.status} ${JSON.stringify(r.body)}`);
  }

  /** An Adaxes account token for a user (what New-AdmAccountToken mints). */
  async tokenOf(upn: string): Promise<string> {
    const r = await call(this.base, 'POST', '/admin/adaxes/accountTokens', { body: { user: upn } });
    if (r.status !== 201) throw new Error(`token: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token;
  }

  async read(dn: string, properties = ''): Promise<Reply> {
    return this.api('GET', `/api/directoryObjects?${new URLSearchParams({ directoryObject: dn, properties })}`);
  }
}

export type Outcome = 'done' | 'refused' | 'hidden';

/** What became of a request: performed, refused (403 in Adaxes' Error shape), or answered as if the object did not exist. */
export function outcomeOf(r: Reply): Outcome {
  if (r.status === 200 && (r.body?.resultType === undefined || r.body.resultType === 0)) return 'done';
  if (r.status === 403 && r.body?.code === 'forbidden' && typeof r.body.message === 'string') return 'refused';
  if (r.status === 404 && r.body?.code === 'notFound') return 'hidden';
  throw new Error(`unexpected reply ${r.status} ${JSON.stringify(r.body)}`);
}
