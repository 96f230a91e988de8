// The tenants one server serves: the one it was started with, and those created at run time (POST /admin/tenants,
// createTenant). Each created tenant is a store of its own, so no query of one tenant can reach another's rows:
// a private in-memory SQLite database, a SQLite file under the data dir, or a PostgreSQL schema. A tenant is made
// by copying the rows of its fixture, compiled once per process (fixture-images.ts), and reset the same way.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TenantInfo } from '../directory/directory.js';
import { CompiledQuery, sql } from 'kysely';
import type { LoadPlan } from './fixture-plan.js';
import type { FixtureSource } from './fixture-source.js';
import type { TenantApp } from '../tenant-handle.js';
import { storedFixture } from './tenant-record.js';
import demoFixture from './demo-tenant.fixture.json' with { type: 'json' };
import { KEPT_META, checkedFixture, pgFixture, sqliteFixture, tenantFixes, type CompiledFixture } from './fixture-images.js';
import { serveTenant, type ServedTenant } from './served-tenant.js';
import type { InFlight } from './in-flight.js';
import { openStore, type Store } from '../store/open.js';
import { currentSeq } from '../directory/changes.js';

export type TenantStorage = { kind: 'memory' } | { kind: 'files'; dir: string } | { kind: 'postgres'; url: string; schema: string };

export class TenantConflict extends Error {}

export interface CreatedTenant {
  tenant: ServedTenant;
  apps: TenantApp[];
}

interface Entry {
  tenant: ServedTenant;
  fixture: unknown;
  location: string;
  createdAt: string;
}

/** Application permissions of the app an empty tenant is created with: enough to build the tenant through Graph. */
const BOOTSTRAP_PERMISSIONS = [
  'Directory.ReadWrite.All',
  'User.ReadWrite.All',
  'Group.ReadWrite.All',
  'GroupMember.ReadWrite.All',
  'Device.ReadWrite.All',
  'EduRoster.ReadWrite.All',
  'LicenseAssignment.ReadWrite.All',
  'Organization.ReadWrite.All',
  'AdministrativeUnit.ReadWrite.All',
  'Application.ReadWrite.All',
  'RoleManagement.ReadWrite.Directory',
  'Member.Read.Hidden',
];

/** The fixture of an empty tenant: a fresh domain, and one app to reach it with. */
export function emptyTenantFixture(): Record<string, unknown> {
  const tag = randomBytes(4).toString('hex');
  return {
    tenant: { id: randomUUID(), domain: `tenant-${tag}.onmicrosoft.com`, displayName: `Tenant ${tag}` },
    applications: [{ displayName: 'Tenant Admin', clientSecret: `tbx~${randomBytes(18).toString('base64url')}`, applicationPermissions: BOOTSTRAP_PERMISSIONS }],
  };
}

export class TenantRegistry {
  private readonly created = new Map<string, Entry>();
  /** Tenants being created or deleted: their ids are taken, but they are not served yet (or any more). */
  private readonly busy = new Set<string>();

  constructor(
    readonly primary: ServedTenant,
    private readonly storage: TenantStorage,
    /** The server's open requests: a delete lets those under way finish before the store goes. */
    private readonly requests?: InFlight,
  ) {}

  /** A served tenant by id. */
  get(id: string): ServedTenant | undefined {
    const key = id.toLowerCase();
    if (key === this.primary.info.id) return this.primary;
    return this.created.get(key)?.tenant;
  }

  /** A tenant by id, or by a domain that exactly one tenant has. */
  find(segment: string): ServedTenant | undefined {
    const byId = this.get(segment);
    if (byId) return byId;
    const domain = segment.toLowerCase();
    let found: ServedTenant | undefined;
    for (const t of this.all()) {
      if (t.info.domain.toLowerCase() !== domain) continue;
      if (found) return undefined;
      found = t;
    }
    return found;
  }

  *all(): Iterable<ServedTenant> {
    yield this.primary;
    for (const e of this.created.values()) yield e.tenant;
  }

  /** The created tenants, oldest first. */
  list(): { tenant: ServedTenant; createdAt: string }[] {
    return [...this.created.values()].map((e) => ({ tenant: e.tenant, createdAt: e.createdAt }));
  }

  /** Where a created tenant's store is: its SQLite file, its PostgreSQL schema, or ':memory:'. */
  locationOf(id: string): string | undefined {
    return this.created.get(id.toLowerCase())?.location;
  }

  /** The fixture a created tenant was made from. */
  fixtureOf(id: string): unknown {
    return this.created.get(id.toLowerCase())?.fixture;
  }

  private taken(id: string): boolean {
    return id === this.primary.info.id || this.created.has(id) || this.busy.has(id);
  }

  /** Checks the fixture (FixtureError lists every problem) and serves it as a new tenant. */
  async create(data: unknown = emptyTenantFixture(), where: string | FixtureSource = 'the request body'): Promise<CreatedTenant> {
    const { plan, hash } = checkedFixture(data, where);
    const declared = (data as { tenant?: { id?: unknown } } | null)?.tenant?.id;
    let id = plan.tenant.id;
    if (this.taken(id)) {
      if (typeof declared === 'string') throw new TenantConflict(`A tenant with id '${id}' is already served.`);
      // A fixture that names no id gets a fresh one when its derived id is in use: one fixture, many tenants.
      id = randomUUID();
    }
    this.busy.add(id);
    try {
      const info: TenantInfo = { ...plan.tenant, id };
      const compiled = await this.compile(plan, data, hash);
      const { store, location } = await this.openCopy(compiled, info);
      try {
        const tenant = await serveTenant(store, info);
        const createdAt = new Date().toISOString();
        await this.primary.store.write((tx) =>
          tx.insertInto('tenants').values({ id, domain: info.domain, display_name: info.displayName, fixture: JSON.stringify(data), location, created_at: createdAt }).execute(),
        );
        this.created.set(id, { tenant, fixture: data, location, createdAt });
        return { tenant, apps: appsOf(plan) };
      } catch (err) {
        return await this.discard(store, location, err);
      }
    } finally {
      this.busy.delete(id);
    }
  }

  /**
   * Stops serving a created tenant and removes its store, once the requests already under way are answered (`asking`
   * is the request that asks for the delete, which does not wait for itself).
   */
  async delete(id: string, asking?: unknown): Promise<boolean> {
    const key = id.toLowerCase();
    const entry = this.created.get(key);
    if (!entry) return false;
    this.created.delete(key);
    this.busy.add(key);
    try {
      await this.primary.store.write((tx) => tx.deleteFrom('tenants').where('id', '=', key).execute());
      await this.requests?.settled(asking);
      await entry.tenant.store.close();
      await this.dropStorage(entry.location);
    } finally {
      this.busy.delete(key);
    }
    return true;
  }

  /** Puts a created tenant back to its fixture, keys kept, in one transaction. */
  async reset(id: string): Promise<void> {
    const entry = this.created.get(id.toLowerCase());
    if (!entry) throw new Error(`No created tenant '${id}'.`);
    const { plan, hash } = checkedFixture(entry.fixture, 'the stored fixture');
    const compiled = await this.compile(plan, entry.fixture, hash);
    const used = await currentSeq(entry.tenant.store.db);
    await entry.tenant.store.replaceRows(compiled.image && this.storage.kind === 'memory' ? { image: compiled.image } : compiled.source, KEPT_META, tenantFixes(entry.tenant.info, used));
  }

  /**
   * Puts the served tenant back to what built it: its fixture, or the demo tenant's when no fixture did (a seeded or
   * imported store). Keys stay; delta links from before get 410.
   */
  async resetServed(): Promise<void> {
    const fixture = (await storedFixture(this.primary.store.db)) ?? demoFixture;
    const { plan, hash } = checkedFixture(fixture, 'the stored fixture');
    const compiled = await this.compile(plan, fixture, hash);
    const used = await currentSeq(this.primary.store.db);
    await this.primary.store.replaceRows(compiled.source, KEPT_META, tenantFixes(this.primary.info, used));
  }

  /**
   * Serves again the tenants a previous run of this server created (stores on disk or in PostgreSQL). A tenant whose
   * store is gone (its file or schema removed by hand) was removed: it is forgotten, not served from an empty store
   * opened in its place, and returned so that the server can say so.
   */
  async restore(): Promise<{ id: string; location: string }[]> {
    if (this.storage.kind === 'memory') return [];
    const forgotten: { id: string; location: string }[] = [];
    const rows = await this.primary.store.db.selectFrom('tenants').selectAll().orderBy('created_at').execute();
    for (const r of rows) {
      if (!(await this.storageExists(r.location))) {
        await this.primary.store.write((tx) => tx.deleteFrom('tenants').where('id', '=', r.id).execute());
        forgotten.push({ id: r.id, location: r.location });
        continue;
      }
      const fixture = JSON.parse(r.fixture) as unknown;
      const { plan } = checkedFixture(fixture, `the stored fixture of tenant ${r.id}`);
      const info: TenantInfo = { ...plan.tenant, id: r.id };
      const store = await this.openStored(r.location);
      this.created.set(r.id, { tenant: await serveTenant(store, info), fixture, location: r.location, createdAt: r.created_at });
    }
    return forgotten;
  }

  private async storageExists(location: string): Promise<boolean> {
    if (this.storage.kind === 'files') return existsSync(location);
    const { rows } = await sql`select 1 from information_schema.schemata where schema_name = ${location}`.execute(this.primary.store.db);
    return rows.length > 0;
  }

  async close(): Promise<void> {
    const entries = [...this.created.values()];
    this.created.clear();
    await Promise.all(entries.map((e) => e.tenant.store.close().catch(() => undefined)));
    // In-memory servers keep nothing: their tenants' stores go with them.
  }

  private compile(plan: LoadPlan, data: unknown, hash: string): Promise<CompiledFixture> {
    return this.storage.kind === 'postgres' ? pgFixture(this.storage.url, this.storage.schema, plan, data) : sqliteFixture(plan, data, hash);
  }

  private async openCopy(compiled: CompiledFixture, info: TenantInfo): Promise<{ store: Store; location: string }> {
    const s = this.storage;
    if (s.kind === 'memory') {
      const store = await openStore({ location: ':memory:', readers: false, image: compiled.image, current: true });
      return { store: await this.restamp(store, compiled, info).catch((err: unknown) => this.discard(store, ':memory:', err)), location: ':memory:' };
    }
    if (s.kind === 'files') {
      mkdirSync(s.dir, { recursive: true });
      const location = join(s.dir, `${info.id}.sqlite`);
      // The id is no served tenant's: a file by its name is left from a delete cut short (the record goes first).
      for (const suffix of ['-wal', '-shm']) rmSync(location + suffix, { force: true });
      writeFileSync(location, compiled.image!);
      const store = await openStore({ location, readers: false, current: true }).catch((err: unknown) => {
        rmSync(location, { force: true });
        throw err;
      });
      return { store: await this.restamp(store, compiled, info).catch((err: unknown) => this.discard(store, location, err)), location };
    }
    const location = `${s.schema}_t_${info.id.replace(/-/g, '')}`;
    const store = await openStore({ location: s.url, pgSchema: location, sharedPool: true }).catch(async (err: unknown) => {
      await this.dropStorage(location).catch(() => undefined);
      throw err;
    });
    await store.replaceRows(compiled.source, KEPT_META, tenantFixes(info)).catch((err: unknown) => this.discard(store, location, err));
    return { store, location };
  }

  /** A tenant that could not be made leaves nothing: its store is closed and its file or schema removed. */
  private async discard(store: Store, location: string, err?: unknown): Promise<never> {
    await store.close().catch(() => undefined);
    await this.dropStorage(location).catch(() => undefined);
    throw err;
  }

  /** A copied image holds the fixture's tenant id: the copy takes its own. */
  private async restamp(store: Store, compiled: CompiledFixture, info: TenantInfo): Promise<Store> {
    if (compiled.tenant.id === info.id) return store;
    await store.write(async (tx) => {
      for (const f of tenantFixes(info)) await tx.executeQuery(CompiledQuery.raw(f.sql, f.params));
    });
    return store;
  }

  private openStored(location: string): Promise<Store> {
    const s = this.storage;
    if (s.kind === 'postgres') return openStore({ location: s.url, pgSchema: location, sharedPool: true });
    return openStore({ location, readers: false });
  }

  private async dropStorage(location: string): Promise<void> {
    const s = this.storage;
    if (s.kind === 'files') for (const suffix of ['', '-wal', '-shm']) rmSync(location + suffix, { force: true });
    if (s.kind === 'postgres') await dropSchema(s.url, location);
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const { dropPgSchema } = await import('../store/postgres.js');
  await dropPgSchema(url, schema);
}

function appsOf(plan: LoadPlan): TenantApp[] {
  return plan.apps.map((a) => ({ displayName: a.display_name, clientId: a.client_id, ...(a.secret ? { clientSecret: a.secret } : {}), publicClient: !!a.public_client }));
}
