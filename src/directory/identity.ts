// Every directory object carries an on-premises identity (DN, objectGUID, SID) so that the Adaxes face can find it.
// Objects created without one (Graph creates, roster imports) get one here: a DN in the type's usual container,
// a fresh objectGUID and the next RID of the tenant's domain SID.
import type { Tx } from '../store/open.js';
import { dnKey, domainDn, makeDn } from './ids.js';
import type { NewObject, ObjectType } from './model.js';

export interface TenantIdentity {
  domain: string;
  /** S-1-5-21-x-y-z: the domain part of every SID the tenant issues. */
  domainSid: string;
}

const CONTAINER: Record<ObjectType, string> = {
  user: 'CN=Users',
  group: 'OU=Groups',
  device: 'CN=Computers',
  administrativeUnit: 'OU=Units',
  orgContact: 'OU=Contacts',
  servicePrincipal: 'CN=ServicePrincipals',
};

/** The meta key of the next RID to allocate. */
export const RID_KEY = 'next_rid';
// Allocated RIDs start far above the fixed ones the demo tenant and generated tenants use, so they never collide.
const FIRST_RID = 500_000_000;

/** Hands out RIDs within one write transaction; the high-water mark is saved with the transaction. */
export class RidAllocator {
  private next?: number;
  private seen = 0;

  constructor(
    private readonly tx: Tx,
    private readonly domainSid: string,
  ) {}

  /** Notes an explicitly given SID so that later allocations never reuse its RID. */
  observe(sid: string) {
    const m = /^(S-1-5-21-\d+-\d+-\d+)-(\d+)$/i.exec(sid);
    if (m && m[1].toUpperCase() === this.domainSid.toUpperCase()) this.seen = Math.max(this.seen, Number(m[2]) + 1);
  }

  async allocate(): Promise<string> {
    if (this.next === undefined) this.next = await this.load();
    this.next = Math.max(this.next, this.seen);
    return `${this.domainSid}-${this.next++}`;
  }

  /** Persists the high-water mark (called at commit). */
  async save(): Promise<void> {
    const high = Math.max(this.next ?? 0, this.seen);
    if (!high) return;
    const current = await this.load();
    if (high <= current) return;
    await this.tx
      .insertInto('meta')
      .values({ key: RID_KEY, value: String(high) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(high) }))
      .execute();
  }

  private async load(): Promise<number> {
    const row = await this.tx.selectFrom('meta').select('value').where('key', '=', RID_KEY).executeTakeFirst();
    if (row) return Number(row.value);
    // First allocation in a store that predates the counter: start above every RID already issued (a one-off scan).
    const sids = await this.tx.selectFrom('objects').select('sid').where('sid', 'like', `${this.domainSid}-%`).execute();
    let max = FIRST_RID - 1;
    for (const { sid } of sids) max = Math.max(max, Number(sid!.slice(this.domainSid.length + 1)) || 0);
    return max + 1;
  }
}

/** The default DN of a new object: CN=<display name>,<container of its type>,<domain>. */
export function defaultDn(input: NewObject, id: string, tenant: TenantIdentity): string {
  const name = typeof input.props.displayName === 'string' && input.props.displayName.trim() ? input.props.displayName.trim() : id;
  return makeDn(name, `${CONTAINER[input.type]},${domainDn(tenant.domain)}`);
}

/** Makes a DN unique among `taken` keys by adding the object's short id to its CN, as AD admins do for namesakes. */
export function uniqueDn(dn: string, id: string, taken: (key: string) => boolean): string {
  if (!taken(dnKey(dn)!)) return dn;
  return dn.replace(/^CN=((?:[^,\\]|\\.)*)/, (_m, cn: string) => `CN=${cn} ${id.slice(0, 8)}`);
}


