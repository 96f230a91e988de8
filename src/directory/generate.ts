// Synthetic tenants of any size, added to the store next to what is there: users with licences, devices with
// registered owners and users, security and Microsoft 365 groups (some nested `nestingDepth` deep) with owners
// and members, and schools with classes, teachers and students.
//
// Deterministic: every object's ids and content derive from (seed, kind, number). Numbers continue from earlier
// runs with the same seed (kept in meta), so seeding twice adds a second, different set instead of clashing.
// Objects go in through Writer.createMany / addLinks in transactions of `batchSize` objects: big enough that the
// per-statement and per-commit costs vanish, small enough that a million objects never sit in memory at once.
import { availableParallelism } from 'node:os';
import { sql } from 'kysely';
import { hashSecretSync } from './credentials.js';
import { DEMO_PASSWORD } from './demo-data.js';
import type { Directory } from './directory.js';
import {
  classExtra,
  deviceProps,
  educationUserProps,
  groupName,
  groupProps,
  hash,
  identityOf,
  schoolProps,
  userProps,
  type Kind,
} from './generate-props.js';
import { assignLicenses, ensureScaleCapacity, PREMIUM_SKU_ID, SCALE_SKU, unitsLeft } from './generate-licenses.js';
import type { DirObject, LinkKind, NewObject } from './model.js';
import type { Writer } from './writer.js';

export interface TenantSpec {
  users: number;
  devices: number;
  groups: number;
  schools: number;
  classesPerSchool: number;
  /** Length of the chains of nested security groups (1 = no nesting). */
  nestingDepth: number;
  seed: number;
  /** Default: 6 per class, each student enrolled in up to 4 classes (about 24 per class). */
  studentsPerSchool?: number;
  /** Default: one per 4 classes. */
  teachersPerSchool?: number;
  /** Objects per transaction (default 5000). */
  batchSize?: number;
  /** Loads of at least this many objects (and a quarter of what is stored) take the bulk path; default 20,000. */
  bulkThreshold?: number;
}

export interface GenerateProgress {
  phase: 'users' | 'devices' | 'groups' | 'schools';
  done: number;
  total: number;
}

export interface GenerateResult {
  seed: number;
  users: number;
  educationUsers: number;
  devices: number;
  groups: number;
  classes: number;
  schools: number;
  /** The generator draws no reporting lines. */
  links: Record<Exclude<LinkKind, 'manager'>, number>;
  licenses: number;
  seconds: number;
  /** Ids the benchmarks and tests use. */
  samples: { deepUser?: string; deepGroups: string[]; device?: string; deviceId?: string; userDn?: string; educationUser?: string };
}

type Offsets = Record<Kind, number>;
const META_KEY = (seed: number) => `generated:${seed}`;
const NO_OFFSETS: Offsets = { user: 0, device: 0, group: 0, school: 0, class: 0, teacher: 0, student: 0 };

export function educationShape(spec: TenantSpec) {
  const classes = spec.classesPerSchool;
  return {
    teachers: spec.teachersPerSchool ?? (classes ? Math.max(1, Math.ceil(classes / 4)) : 0),
    students: spec.studentsPerSchool ?? classes * 6,
    classes,
  };
}

/** Objects `spec` creates (for progress bars and the bench's size presets). */
export function objectCount(spec: TenantSpec): number {
  const e = educationShape(spec);
  return spec.users + spec.devices + spec.groups + spec.schools * (1 + e.teachers + e.students + e.classes);
}

export async function generateTenant(dir: Directory, spec: TenantSpec, onProgress?: (p: GenerateProgress) => void): Promise<GenerateResult> {
  const started = Date.now();
  const g = new Generation(dir, spec, onProgress);
  await g.init();
  await bulkLoad(dir, objectCount(spec), spec.bulkThreshold ?? 20_000, async (staged) => {
    g.staged = staged;
    await g.users();
    await g.devices();
    await g.groups();
    await g.schools();
  });
  return { ...g.result, seconds: (Date.now() - started) / 1000 };
}

const BY_OBJECT = 'object_index_object';
const STAGING = 'object_index_load';

/**
 * A large load is written in a way that suits it; both steps are skipped when the load is small against what is
 * stored:
 * - Index rows go to a staging table without any key, appended as they come, and move into object_index in one
 *   sorted pass at the end. Written batch by batch into object_index, each batch would scatter over the whole tree
 *   (values are random, so even one property's rows interleave), and every commit would rewrite most of its
 *   pages: at 100,000 users that was about 20 GB of writes for a 2 GB store.
 * - The (object_key, prop_key) index is dropped and built once afterwards: a single sorted pass as well.
 * Until the merge, the new objects are stored but not yet found by $filter, $orderby or $search. A run killed
 * half-way leaves staged rows and a missing index; the next seed merges and rebuilds them before anything else.
 */
async function bulkLoad(dir: Directory, adding: number, threshold: number, fn: (staged: boolean) => Promise<void>) {
  const db = dir.db;
  const create = () => sql`create index if not exists ${sql.raw(BY_OBJECT)} on object_index (object_key, prop_key)`.execute(db);
  const staging = () => sql`create table if not exists ${sql.raw(STAGING)} (prop_key integer not null, value text not null, object_key integer not null)`.execute(db);
  await staging();
  await mergeStaged(dir, false);
  await create();
  const existing = await db.selectFrom('objects').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const defer = adding >= threshold && adding >= Number(existing?.n ?? 0) / 4;
  if (defer) {
    await staging();
    await sql`drop index if exists ${sql.raw(BY_OBJECT)}`.execute(db);
  }
  // The final merge sorts on SQLite's page cache; the default 2 MB makes that sort spill to temporary files early.
  const sqlite = dir.store.engine === 'sqlite';
  const cache = sqlite ? Number((await sql<{ cache_size: number }>`pragma cache_size`.execute(db)).rows[0]?.cache_size ?? -2000) : 0;
  // In WAL mode, NORMAL keeps the store consistent through a crash and only gives up the durability of the last
  // commits, which a load that did not finish loses anyway; FULL syncs the log on every batch.
  // The merge's sort is most of its time; SQLite splits it over helper threads when allowed (17% less at 100k users).
  const pragma = (text: string) => sql`${sql.raw(`pragma ${text}`)}`.execute(db);
  if (sqlite && defer) {
    await pragma(`cache_size = ${-BULK_CACHE_KIB}`);
    await pragma('synchronous = normal');
    await pragma(`threads = ${Math.min(4, availableParallelism())}`);
  }
  try {
    await fn(defer);
  } finally {
    if (defer) {
      await mergeStaged(dir, true);
      await create();
    }
    // PostgreSQL plans from column statistics, which only ANALYZE gathers: until autovacuum comes round, a store
    // just loaded looks nearly empty to the planner. A 100k-user $orderby page took 1.6 s (a sort of every user)
    // instead of 12 ms (an index walk), and a 1k tenant's users page sorted all its users (5 ms, not 0.8). VACUUM
    // also marks the loaded pages all-visible, without which no index-only scan is chosen: counting 30,000 devices
    // read the whole objects table (240 ms) instead of objects_alt_key (6 ms). SQLite keeps no statistics here and
    // plans from its indexes alone.
    if (!sqlite) await sql`vacuum (analyze) objects, object_index, links, license_assignments, credentials`.execute(db);
    if (sqlite && defer) {
      await pragma(`cache_size = ${cache}`);
      await pragma('synchronous = full');
      await pragma('threads = 0');
    }
  }
}

/**
 * Moves staged index rows into object_index, in key order, and drops the staging table. With `rebuildKey` on
 * PostgreSQL, the primary key is dropped and built again around the insert: one sort of the whole index costs a
 * fraction of inserting millions of rows into the key one by one. Readers of object_index wait for that commit.
 */
async function mergeStaged(dir: Directory, rebuildKey: boolean) {
  const rebuild = rebuildKey && dir.store.engine === 'postgres';
  await dir.store.write(async (tx) => {
    if (rebuild) {
      await sql`set local maintenance_work_mem = '512MB'`.execute(tx);
      await sql`alter table object_index drop constraint object_index_pk`.execute(tx);
    }
    await sql`insert into object_index (prop_key, value, object_key)
      select prop_key, value, object_key from ${sql.raw(STAGING)} ${sql.raw(rebuild ? '' : 'order by prop_key, value, object_key')}`.execute(tx);
    if (rebuild) await sql`alter table object_index add constraint object_index_pk primary key (prop_key, value, object_key)`.execute(tx);
    await sql`drop table ${sql.raw(STAGING)}`.execute(tx);
  });
}

/** Page cache during a bulk load on SQLite, in KiB. */
const BULK_CACHE_KIB = 256 * 1024;

class Generation {
  readonly seed: number;
  readonly batch: number;
  readonly depth: number;
  readonly chains: number;
  /** First number of each kind in this run (constant during the run). */
  off: Offsets = { ...NO_OFFSETS };
  private passwordHash = hashSecretSync(DEMO_PASSWORD);
  private premiumLeft = 0;
  /** Index rows go to the staging table (see bulkLoad). */
  staged = false;
  private done = 0;
  private total: number;
  result: Omit<GenerateResult, 'seconds'>;

  constructor(
    readonly dir: Directory,
    readonly spec: TenantSpec,
    readonly onProgress?: (p: GenerateProgress) => void,
  ) {
    this.seed = spec.seed >>> 0;
    this.batch = Math.max(100, spec.batchSize ?? 5000);
    this.depth = Math.max(1, spec.nestingDepth);
    this.chains = this.depth > 1 && spec.groups >= this.depth ? Math.max(1, Math.floor(spec.groups / (2 * this.depth))) : 0;
    this.total = objectCount(spec);
    const links = { member: 0, owner: 0, registeredOwner: 0, registeredUser: 0, schoolClass: 0 };
    this.result = { seed: this.seed, users: 0, educationUsers: 0, devices: 0, groups: 0, classes: 0, schools: 0, links, licenses: 0, samples: { deepGroups: [] } };
  }

  async init() {
    const row = await this.dir.db.selectFrom('meta').select('value').where('key', '=', META_KEY(this.seed)).executeTakeFirst();
    if (row) this.off = { ...NO_OFFSETS, ...(JSON.parse(row.value) as Partial<Offsets>) };
    const e = educationShape(this.spec);
    const licensable = this.spec.users + this.spec.schools * (e.teachers + e.students);
    // The whole run's numbers are reserved up front: a run that fails half-way never leaves numbers a later run would reuse.
    const s = this.spec;
    const end: Offsets = {
      user: this.off.user + s.users,
      device: this.off.device + s.devices,
      group: this.off.group + s.groups,
      school: this.off.school + s.schools,
      class: this.off.class + s.schools * e.classes,
      teacher: this.off.teacher + s.schools * e.teachers,
      student: this.off.student + s.schools * e.students,
    };
    const value = JSON.stringify(end);
    await this.dir.store.write(async (tx) => {
      await ensureScaleCapacity(tx, this.dir.tenant.id, licensable);
      this.premiumLeft = await unitsLeft(tx, PREMIUM_SKU_ID);
      await tx
        .insertInto('meta')
        .values({ key: META_KEY(this.seed), value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    });
  }

  private async tx(phase: GenerateProgress['phase'], objects: number, fn: (w: Writer) => Promise<void>) {
    await this.dir.write(async (w) => {
      if (this.staged) w.indexInto(STAGING);
      await fn(w);
    });
    this.done += objects;
    this.onProgress?.({ phase, done: this.done, total: this.total });
  }

  private async link(w: Writer, kind: Exclude<LinkKind, 'manager'>, pairs: [string, string][]) {
    if (!pairs.length) return;
    await w.addLinks(kind, pairs);
    this.result.links[kind] += pairs.length;
  }

  private skusFor(kind: Kind, n: number): string[] {
    const h = hash(this.seed, kind, n, 9);
    if (h % 10 === 0) return []; // some users stay unlicensed, as in real tenants
    const skus = [SCALE_SKU.skuId];
    if (kind === 'user' && h % 50 === 1 && this.premiumLeft > 0) {
      this.premiumLeft--;
      skus.push(PREMIUM_SKU_ID);
    }
    return skus;
  }

  private async createUsers(w: Writer, inputs: { input: NewObject; kind: Kind; n: number }[]): Promise<DirObject[]> {
    const ids = inputs.map((x) => x.input.id!);
    const skus = new Map(inputs.map((x) => [x.input.id!, this.skusFor(x.kind, x.n)]));
    this.result.licenses += await assignLicenses(w.tx, ids, skus, w.at);
    await w.createMany(inputs.map((x) => x.input));
    const objs: DirObject[] = inputs.map(({ input }) => ({ id: input.id!, type: 'user', facet: input.facet ?? null, dn: input.dn ?? null, objectGuid: input.objectGuid ?? null, sid: input.sid ?? null, props: input.props, version: w.seq }));
    const creds = objs.map((o) => ({ user_id: o.id, password_hash: this.passwordHash, failed_attempts: 0, locked_until: null }));
    for (let i = 0; i < creds.length; i += 500) await w.tx.insertInto('credentials').values(creds.slice(i, i + 500)).execute();
    return objs;
  }

  async users() {
    const { users } = this.spec;
    for (let start = 0; start < users; start += this.batch) {
      const count = Math.min(this.batch, users - start);
      await this.tx(
        'users',
        count,
        async (w) => {
          const inputs = Array.from({ length: count }, (_, k) => {
            const n = this.off.user + start + k;
            const ident = identityOf(this.seed, 'user', n);
            const { dn, props } = userProps(this.seed, n, ident);
            return { input: { ...ident, type: 'user', dn, props } as NewObject, kind: 'user' as Kind, n };
          });
          await this.createUsers(w, inputs);
          this.result.samples.userDn ??= inputs[0].input.dn ?? undefined;
        },
      );
    }
    this.result.users = users;
  }

  /** The user owning device `d` of this run (undefined when the run makes no users). */
  private ownerOf(d: number, salt: number): string | undefined {
    const { users } = this.spec;
    return users ? identityOf(this.seed, 'user', this.off.user + (hash(this.seed, 'device', d, salt) % users)).id : undefined;
  }

  async devices() {
    const { devices } = this.spec;
    for (let start = 0; start < devices; start += this.batch) {
      const count = Math.min(this.batch, devices - start);
      await this.tx(
        'devices',
        count,
        async (w) => {
          const owners: [string, string][] = [];
          const usersOf: [string, string][] = [];
          const inputs: NewObject[] = [];
          for (let k = 0; k < count; k++) {
            const d = start + k;
            const ident = identityOf(this.seed, 'device', this.off.device + d);
            const owner = this.ownerOf(d, 1);
            const { dn, props } = deviceProps(this.seed, this.off.device + d, owner);
            inputs.push({ ...ident, type: 'device', dn, props });
            if (!owner) continue;
            owners.push([ident.id, owner]);
            usersOf.push([ident.id, owner]);
            const second = this.ownerOf(d, 2);
            if (hash(this.seed, 'device', d, 3) % 4 === 0 && second && second !== owner) usersOf.push([ident.id, second]);
          }
          await w.createMany(inputs);
          await this.link(w, 'registeredOwner', owners);
          await this.link(w, 'registeredUser', usersOf);
          if (!this.result.samples.device) {
            this.result.samples.device = inputs[0].id!;
            this.result.samples.deviceId = inputs[0].props.deviceId as string;
          }
        },
      );
    }
    this.result.devices = devices;
  }

  /**
   * Group memberships as compressed rows (members of group g at refs[start[g]..start[g+1])): users join one
   * random group and half of them also the bottom of a nested chain; a fifth of the devices join a group.
   * A user ref is u ≥ 0, a device ref is -(d + 1).
   */
  private membershipTable(): { start: Int32Array; refs: Int32Array } {
    const G = this.spec.groups;
    const { users, devices } = this.spec;
    const start = new Int32Array(G + 1);
    const each = (emit: (g: number, ref: number) => void) => {
      for (let u = 0; u < users; u++) {
        const a = hash(this.seed, 'user', u, 3) % G;
        emit(a, u);
        if (this.chains && hash(this.seed, 'user', u, 4) % 2 === 0) {
          const bottom = (hash(this.seed, 'user', u, 5) % this.chains) * this.depth + this.depth - 1;
          if (bottom !== a) emit(bottom, u);
        }
      }
      for (let d = 0; d < devices; d++) if (hash(this.seed, 'device', d, 6) % 5 === 0) emit(hash(this.seed, 'device', d, 7) % G, -(d + 1));
    };
    each((g) => start[g + 1]++);
    for (let g = 0; g < G; g++) start[g + 1] += start[g];
    const fill = start.slice(0, G);
    const refs = new Int32Array(start[G]);
    each((g, ref) => (refs[fill[g]++] = ref));
    return { start, refs };
  }

  async groups() {
    const G = this.spec.groups;
    if (!G) return;
    const { users } = this.spec;
    const table = this.membershipTable();
    const userId = (u: number) => identityOf(this.seed, 'user', this.off.user + u).id;
    const deviceId = (d: number) => identityOf(this.seed, 'device', this.off.device + d).id;
    // Whole chains per transaction, so nesting links never cross a commit.
    const step = Math.max(this.depth, Math.floor(this.batch / this.depth) * this.depth);
    for (let start = 0; start < G; start += step) {
      const count = Math.min(step, G - start);
      await this.tx(
        'groups',
        count,
        async (w) => {
          const inputs: NewObject[] = [];
          const nested: [string, string][] = [];
          const members: [string, string][] = [];
          const owners: [string, string][] = [];
          for (let k = 0; k < count; k++) {
            const g = start + k;
            const n = this.off.group + g;
            const ident = identityOf(this.seed, 'group', n);
            const inChain = g < this.chains * this.depth;
            const chain = inChain ? { chain: Math.floor(g / this.depth), level: g % this.depth } : undefined;
            const kind = inChain || hash(this.seed, 'group', g, 1) % 10 >= 3 ? 'security' : 'm365';
            const { dn, props } = groupProps(this.seed, n, ident, kind, groupName(this.seed, n, chain));
            inputs.push({ ...ident, type: 'group', dn, props });
            if (chain && chain.level > 0) nested.push([identityOf(this.seed, 'group', n - 1).id, ident.id]);
            for (let i = table.start[g]; i < table.start[g + 1]; i++) {
              const ref = table.refs[i];
              members.push([ident.id, ref >= 0 ? userId(ref) : deviceId(-ref - 1)]);
            }
            if (users) owners.push([ident.id, userId(hash(this.seed, 'group', g, 2) % users)]);
            if (chain && chain.chain === 0) this.result.samples.deepGroups.push(ident.id);
          }
          await w.createMany(inputs);
          await this.link(w, 'member', nested);
          await this.link(w, 'member', members);
          await this.link(w, 'owner', owners);
        },
      );
    }
    if (this.chains && users) {
      const bottom = this.depth - 1;
      for (let i = table.start[bottom]; i < table.start[bottom + 1]; i++) {
        if (table.refs[i] >= 0) {
          this.result.samples.deepUser = userId(table.refs[i]);
          break;
        }
      }
    }
    this.result.groups = G;
  }

  async schools() {
    const { schools } = this.spec;
    const e = educationShape(this.spec);
    const perSchool = 1 + e.teachers + e.students + e.classes;
    const per = Math.max(1, Math.floor(this.batch / perSchool));
    const createdBy = { user: null, application: { id: null, displayName: 'Tenantbox generator' }, device: null };
    for (let start = 0; start < schools; start += per) {
      const count = Math.min(per, schools - start);
      await this.tx(
        'schools',
        count * perSchool,
        async (w) => {
          for (let s = start; s < start + count; s++) await this.school(w, s, e, createdBy);
        },
      );
    }
    this.result.schools = schools;
    this.result.classes = schools * e.classes;
    this.result.educationUsers = schools * (e.teachers + e.students);
  }

  private async school(w: Writer, s: number, e: ReturnType<typeof educationShape>, createdBy: Record<string, unknown>) {
    const sn = this.off.school + s;
    const school = schoolProps(this.seed, sn, createdBy);
    const schoolIdent = identityOf(this.seed, 'school', sn);
    const people: { input: NewObject; kind: Kind; n: number }[] = [];
    for (const [role, count] of [['teacher', e.teachers], ['student', e.students]] as const) {
      for (let k = 0; k < count; k++) {
        const n = this.off[role] + s * count + k;
        const ident = identityOf(this.seed, role, n);
        const { dn, props } = educationUserProps(this.seed, role, n, createdBy);
        people.push({ input: { ...ident, type: 'user', facet: 'educationUser', dn, props }, kind: role, n });
      }
    }
    const classes: NewObject[] = [];
    for (let c = 0; c < e.classes; c++) {
      const n = this.off.class + s * e.classes + c;
      const ident = identityOf(this.seed, 'class', n);
      const { name, extra } = classExtra(sn, c, this.seed, createdBy);
      const { props } = groupProps(this.seed, n, ident, 'class', name, extra);
      classes.push({ ...ident, type: 'group', facet: 'educationClass', props });
    }
    await w.createMany([{ ...schoolIdent, type: 'administrativeUnit', facet: 'educationSchool', dn: school.dn, props: school.props }, ...classes]);
    await this.createUsers(w, people);
    const teachers = people.slice(0, e.teachers).map((p) => p.input.id!);
    const students = people.slice(e.teachers).map((p) => p.input.id!);
    this.result.samples.educationUser ??= students[0] ?? teachers[0];
    const classIds = classes.map((c) => c.id!);
    const enrol: [string, string][] = [];
    students.forEach((st, k) => {
      for (let j = 0; j < Math.min(4, classIds.length); j++) enrol.push([classIds[(k + j) % classIds.length], st]);
    });
    const teach: [string, string][] = teachers.length ? classIds.map((c, i) => [c, teachers[i % teachers.length]]) : [];
    await this.link(w, 'schoolClass', classIds.map((c) => [schoolIdent.id, c]));
    await this.link(w, 'member', [...teachers, ...students].map((u) => [schoolIdent.id, u]));
    await this.link(w, 'owner', teach);
    await this.link(w, 'member', [...teach, ...enrol]);
  }
}
