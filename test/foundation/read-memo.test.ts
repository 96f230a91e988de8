// Values the store keeps until its rows change (src/store/read-memo.ts): a membership closure and the subscription
// catalogue are read once per change, every write (in a transaction or not, committed or rolled back, a whole
// replacement) is seen by the next read, and on PostgreSQL another server's commit is heard of through NOTIFY.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newGuid } from '../../src/directory/ids.js';
import { createToken, findValidToken } from '../../src/directory/tokens-store.js';
import { openStore, type Store } from '../../src/store/open.js';
import { MemoPool, ReadMemo } from '../../src/store/read-memo.js';
import { call, license, properties, q, signIn } from '../adaxes/client.js';
import { graphFetch, startTestServer, type TestServer } from '../support/server.js';
import { ENGINES, freshLocation, freshStore } from '../support/stores.js';

const BP = 'O365_BUSINESS_PREMIUM';

/** A computation that counts its runs and returns the meta row it reads. */
function counted(store: Store) {
  let runs = 0;
  const compute = async () => {
    runs++;
    return { value: (await store.db.selectFrom('meta').select('value').where('key', '=', 'memo-test').executeTakeFirst())?.value ?? null };
  };
  return { compute, runs: () => runs };
}

const put = (store: Store, value: string) =>
  store.write((tx) => tx.insertInto('meta').values({ key: 'memo-test', value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute());

describe('ReadMemo on SQLite stores', () => {
  const stores: { store: Store; cleanup: () => Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of stores) await s.cleanup();
  });

  for (const kind of ['file', 'private memory'] as const) {
    it(`${kind}: reads once per change, and every kind of write is seen by the next read`, async () => {
      const s = kind === 'file' ? await freshStore('sqlite') : { store: await openStore({ location: ':memory:', readers: false }), cleanup: async () => undefined };
      stores.push(s);
      const { store } = s;
      const c = counted(store);
      expect(await store.memo.get('k', c.compute)).toEqual({ value: null });
      expect(await store.memo.get('k', c.compute)).toEqual({ value: null });
      expect(c.runs()).toBe(1);

      await put(store, 'in a transaction');
      expect(await store.memo.get('k', c.compute)).toEqual({ value: 'in a transaction' });
      expect(c.runs()).toBe(2);

      // A statement outside any transaction commits by itself.
      await store.db.updateTable('meta').set({ value: 'autocommit' }).where('key', '=', 'memo-test').execute();
      expect(await store.memo.get('k', c.compute)).toEqual({ value: 'autocommit' });

      // A rolled-back write leaves the rows as they were: whether or not it is read again, the value is the same.
      await expect(store.write(async (tx) => {
        await tx.updateTable('meta').set({ value: 'rolled back' }).where('key', '=', 'memo-test').execute();
        throw new Error('abort');
      })).rejects.toThrow('abort');
      expect(await store.memo.get('k', c.compute)).toEqual({ value: 'autocommit' });
      const before = c.runs();
      expect(await store.memo.get('k', c.compute)).toEqual({ value: 'autocommit' });
      expect(c.runs()).toBe(before);
    });
  }

  it('does not keep a value computed while the store changed', async () => {
    const s = await freshStore('sqlite');
    stores.push(s);
    const { store } = s;
    const c = counted(store);
    let first = true;
    const racing = async () => {
      const v = await c.compute();
      if (first) {
        first = false;
        await put(store, 'written meanwhile');
      }
      return v;
    };
    expect(await store.memo.get('k', racing)).toEqual({ value: null });
    expect(await store.memo.get('k', racing)).toEqual({ value: 'written meanwhile' });
    expect(c.runs()).toBe(2);
  });

  it('a value read while a transaction was open is read again once that transaction commits', async () => {
    const s = await freshStore('sqlite');
    stores.push(s);
    const { store } = s;
    const c = counted(store);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let written!: () => void;
    const wrote = new Promise<void>((r) => (written = r));
    const tx = store.write(async (t) => {
      await t.insertInto('meta').values({ key: 'memo-test', value: 'committed later' }).execute();
      written();
      await held;
    });
    await wrote;
    // The write is made but not committed: readers still see the row missing.
    expect(await store.memo.get('k', c.compute)).toEqual({ value: null });
    release();
    await tx;
    expect(await store.memo.get('k', c.compute)).toEqual({ value: 'committed later' });
  });

  it('sees rows replaced whole (a tenant reset), and hands out frozen values', async () => {
    const s = await freshStore('sqlite');
    const source = await freshLocation('sqlite');
    const from = await openStore({ location: source.location });
    stores.push(s, { store: from, cleanup: async () => (await from.close(), await source.cleanup()) });
    await put(from, 'from the source');
    const { store } = s;
    const c = counted(store);
    const held = await store.memo.get('k', c.compute);
    expect(held).toEqual({ value: null });
    expect(() => ((held as { value: string | null }).value = 'changed')).toThrow(TypeError);
    await store.replaceRows({ file: source.location }, []);
    expect(await store.memo.get('k', c.compute)).toEqual({ value: 'from the source' });
  });
});

describe('ReadMemo bounds', () => {
  it('keeps at most its weight in array items: a value over a quarter of it is not kept, the oldest go first', async () => {
    const memo = new ReadMemo(() => 'unchanged', 12);
    let runs = 0;
    const list = (n: number) => async () => (runs++, Array.from({ length: n }, (_, i) => i));
    await memo.get('big', list(4));
    await memo.get('big', list(4));
    expect(runs).toBe(2); // 4 > 12 / 4
    for (const k of ['a', 'b', 'c', 'd']) await memo.get(k, list(3));
    expect(runs).toBe(6);
    await memo.get('e', list(3)); // 15 > 12: 'a' goes
    await memo.get('b', list(3));
    expect(runs).toBe(7);
    await memo.get('a', list(3));
    expect(runs).toBe(8);
  });
});

describe('kept rows', () => {
  it('a value weighs what `weigh` says: rows holding documents weigh by their length', async () => {
    const memo = new ReadMemo(() => 'unchanged', 12);
    let runs = 0;
    const doc = async () => (runs++, [{ props: 'x'.repeat(400) }]);
    const weigh = (rows: { props: string }[]) => rows.reduce((n, r) => n + 1 + (r.props.length >> 7), 0);
    await memo.get('doc', doc, weigh);
    await memo.get('doc', doc, weigh);
    expect(runs).toBe(2); // weighs 4: over a quarter of 12, so not kept
    await memo.get('doc', doc);
    await memo.get('doc', doc);
    expect(runs).toBe(3); // one row weighs one when nothing says otherwise
  });

  it('a kept token is still refused once it has expired (findValidToken checks expiry on every call)', async () => {
    const s = await freshStore('sqlite');
    try {
      const issued = await createToken(s.store, { kind: 'adaxesToken', userId: newGuid(), ttlSeconds: 60 });
      const now = new Date();
      for (let i = 0; i < 2; i++) expect((await findValidToken(s.store, 'adaxesToken', issued.token, now))?.expiresAt).toBe(issued.expiresAt);
      expect(await findValidToken(s.store, 'adaxesToken', issued.token, new Date(now.getTime() + 61_000))).toBeUndefined();
      expect(await findValidToken(s.store, 'adaxesToken', issued.token, now)).toBeDefined();
    } finally {
      await s.cleanup();
    }
  });
});

describe('MemoPool', () => {
  it('holds the values of many memos to one weight: the oldest go first whichever memo kept them, a cleared memo gives its weight back', async () => {
    const pool = new MemoPool(12);
    const [a, b] = [new ReadMemo(() => 'unchanged', pool), new ReadMemo(() => 'unchanged', pool)];
    let runs = 0;
    const list = (n: number) => async () => (runs++, Array.from({ length: n }, (_, i) => i));
    for (const k of ['1', '2', '3', '4']) await a.get(k, list(3));
    await b.get('x', list(3)); // 15 > 12: a's '1' goes
    expect(runs).toBe(5);
    await a.get('2', list(3));
    await b.get('x', list(3));
    expect(runs).toBe(5);
    await a.get('1', list(3)); // kept again: a's '2' goes
    await a.get('2', list(3));
    expect(runs).toBe(7);
    a.clear();
    for (const k of ['y', 'z']) await b.get(k, list(3));
    await b.get('x', list(3));
    expect(runs).toBe(9);
  });
});

describe('ReadMemo on PostgreSQL', () => {
  let s: { store: Store; location: Awaited<ReturnType<typeof freshLocation>>; cleanup: () => Promise<void> };
  beforeAll(async () => {
    const location = await freshLocation('postgres');
    const store = await openStore({ location: location.location, pgSchema: location.pgSchema });
    s = { store, location, cleanup: async () => (await store.close(), await location.cleanup()) };
  });
  afterAll(() => s.cleanup());

  it('keeps a value until a write of this process, in a transaction or not', async () => {
    const c = counted(s.store);
    await put(s.store, 'one');
    expect(await s.store.memo.get('k', c.compute)).toEqual({ value: 'one' });
    expect(await s.store.memo.get('k', c.compute)).toEqual({ value: 'one' });
    expect(c.runs()).toBe(1);
    await put(s.store, 'two');
    expect(await s.store.memo.get('k', c.compute)).toEqual({ value: 'two' });
    await s.store.db.deleteFrom('meta').where('key', '=', 'memo-test').execute();
    expect(await s.store.memo.get('k', c.compute)).toEqual({ value: null });
    await s.store.write(async (tx) => {
      await tx.insertInto('meta').values({ key: 'memo-test', value: 'rolled back' }).execute();
      throw new Error('abort');
    }).catch(() => undefined);
    expect(await s.store.memo.get('k', c.compute)).toEqual({ value: null });
    expect(c.runs()).toBe(4);
  });

  // Another server: the same schema through a connection string of its own, so only PostgreSQL's NOTIFY tells this
  // process of its writes (src/store/pg-changes.ts).
  async function otherServer() {
    const loc = s.location;
    return openStore({ location: `${loc.location}${loc.location.includes('?') ? '&' : '?'}application_name=other-node`, pgSchema: loc.pgSchema });
  }
  async function eventually(check: () => Promise<boolean>) {
    for (const until = Date.now() + 5_000; !(await check()); ) {
      if (Date.now() > until) throw new Error('not seen within 5 s');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  it("hears another server's commits (PostgreSQL NOTIFY), and not its rolled-back writes", async () => {
    const other = await otherServer();
    try {
      const c = counted(s.store);
      await put(s.store, 'mine');
      expect(await s.store.memo.get('k2', c.compute)).toEqual({ value: 'mine' });
      await put(other, 'theirs');
      await eventually(async () => (await s.store.memo.get('k2', c.compute)).value === 'theirs');
      // The committed row can be read before its notification is; once that is in, the value is kept again.
      await new Promise((r) => setTimeout(r, 100));
      await s.store.memo.get('k2', c.compute);
      const runs = c.runs();
      expect(await s.store.memo.get('k2', c.compute)).toEqual({ value: 'theirs' });
      expect(c.runs()).toBe(runs);
      await other.write(async (tx) => {
        await tx.updateTable('meta').set({ value: 'never' }).where('key', '=', 'memo-test').execute();
        throw new Error('abort');
      }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
      expect(await s.store.memo.get('k2', c.compute)).toEqual({ value: 'theirs' });
      expect(c.runs()).toBe(runs);
    } finally {
      await other.close();
    }
  });

  it('keeps nothing while it cannot hear other servers, and forgets what it kept once it can again', async () => {
    const c = counted(s.store);
    await put(s.store, 'before');
    await s.store.memo.get('k3', c.compute);
    const other = await otherServer();
    try {
      const ours = `tenantbox change feed ${process.pid}`;
      const { rows } = await sql<{ n: number }>`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = ${ours}`.execute(other.db);
      expect(rows[0].n).toBe(1);
      await eventually(async () => !s.store.memo.keeps());
      // A write nobody could hear of while the listener was gone.
      await put(other, 'unheard');
      expect(await s.store.memo.get('k3', c.compute)).toEqual({ value: 'unheard' });
      await eventually(async () => s.store.memo.keeps());
      const runs = c.runs();
      expect(await s.store.memo.get('k3', c.compute)).toEqual({ value: 'unheard' });
      expect(await s.store.memo.get('k3', c.compute)).toEqual({ value: 'unheard' });
      expect(c.runs()).toBe(runs + 1);
    } finally {
      await other.close();
    }
  });

  it("keyed reads are named statements on connections tenants' schemas share: each store reads its own rows (PostgreSQL: PREPARE, search_path)", async () => {
    const locs = [await freshLocation('postgres'), await freshLocation('postgres')];
    const stores = await Promise.all(locs.map((l) => openStore({ location: l.location, pgSchema: l.pgSchema, sharedPool: true })));
    try {
      const [a, b] = stores;
      const token = 'shared-pool-token';
      await createToken(a, { kind: 'adaxesToken', userId: 'user-of-a', token });
      await createToken(b, { kind: 'adaxesToken', userId: 'user-of-b', token });
      // More rounds than the shared pool has connections, alternating, so connections move between the schemas.
      for (let i = 0; i < 12; i++) {
        const [fromA, fromB] = await Promise.all([findValidToken(a, 'adaxesToken', token), findValidToken(b, 'adaxesToken', token)]);
        expect([fromA?.userId, fromB?.userId]).toEqual(['user-of-a', 'user-of-b']);
      }
      await b.write((tx) => tx.deleteFrom('tokens').execute());
      expect((await findValidToken(a, 'adaxesToken', token))?.userId).toBe('user-of-a');
      expect(await findValidToken(b, 'adaxesToken', token)).toBeUndefined();
    } finally {
      for (const st of stores) await st.close();
      for (const l of locs) await l.cleanup();
    }
  });
});

describe.each(ENGINES)('memoised reads over HTTP follow writes at once (%s)', (engine) => {
  let srv: TestServer;
  let admin: string;
  const graph = (path: string, init?: Parameters<typeof graphFetch>[2]) => graphFetch(`${srv.graph}${path}`, admin, init);
  beforeAll(async () => {
    srv = await startTestServer(engine);
    admin = await srv.appToken('Tenant Admin');
  });
  afterAll(() => srv.close());

  it('checkMemberGroups: a membership added or removed shows in the next check (Learn: directoryobject-checkmembergroups)', async () => {
    const user = (await graph('/users/emily.braun@example.com')).body.id as string;
    const outer = await graph('/groups', { method: 'POST', body: { displayName: 'Memo Outer', mailEnabled: false, mailNickname: `memo-${newGuid().slice(0, 8)}`, securityEnabled: true } });
    const inner = await graph('/groups', { method: 'POST', body: { displayName: 'Memo Inner', mailEnabled: false, mailNickname: `memo-${newGuid().slice(0, 8)}`, securityEnabled: true } });
    expect([outer.status, inner.status]).toEqual([201, 201]);
    const check = async () => (await graph(`/users/${user}/checkMemberGroups`, { method: 'POST', body: { groupIds: [outer.body.id, inner.body.id] } })).body.value;
    expect(await check()).toEqual([]);
    expect(await check()).toEqual([]);
    const ref = (id: string) => ({ '@odata.id': `${srv.graph}/directoryObjects/${id}` });
    expect((await graph(`/groups/${outer.body.id}/members/$ref`, { method: 'POST', body: ref(inner.body.id) })).status).toBe(204);
    expect(await check()).toEqual([]);
    expect((await graph(`/groups/${inner.body.id}/members/$ref`, { method: 'POST', body: ref(user) })).status).toBe(204);
    expect(await check()).toEqual([outer.body.id, inner.body.id]);
    expect((await graph(`/groups/${outer.body.id}/members/${inner.body.id}/$ref`, { method: 'DELETE' })).status).toBe(204);
    expect(await check()).toEqual([inner.body.id]);
  });

  it('transitiveMemberOf pages, casts and counts a kept closure as Graph does, and follows a removal at once (Learn: user-list-transitivememberof)', async () => {
    const mk = async (displayName: string) =>
      (await graph('/groups', { method: 'POST', body: { displayName, mailEnabled: false, mailNickname: `memo-${newGuid().slice(0, 8)}`, securityEnabled: true } })).body.id as string;
    const user = (await graph('/users', { method: 'POST', body: { accountEnabled: true, displayName: 'Memo Walker', mailNickname: 'memo.walker', userPrincipalName: `memo.walker.${engine}@example.com`, passwordProfile: { password: 'Memo!Walker2026' } } })).body.id as string;
    const [a, b, c] = [await mk('Memo A'), await mk('Memo B'), await mk('Memo C')];
    const ref = (id: string) => ({ '@odata.id': `${srv.graph}/directoryObjects/${id}` });
    for (const [group, member] of [[a, b], [b, c], [c, user]]) expect((await graph(`/groups/${group}/members/$ref`, { method: 'POST', body: ref(member) })).status).toBe(204);
    const sorted = [a, b, c].sort();

    const all = await graph(`/users/${user}/transitiveMemberOf?$select=id`);
    expect(all.body.value.map((g: { id: string }) => g.id)).toEqual(sorted);
    expect(all.body.value.every((g: Record<string, unknown>) => g['@odata.type'] === '#microsoft.graph.group')).toBe(true);
    const first = await graph(`/users/${user}/transitiveMemberOf/microsoft.graph.group?$top=2&$count=true&$select=id`, { headers: { ConsistencyLevel: 'eventual' } });
    expect(first.body['@odata.count']).toBe(3);
    expect(first.body.value.map((g: { id: string }) => g.id)).toEqual(sorted.slice(0, 2));
    const next = await graphFetch(first.body['@odata.nextLink'].replace(srv.httpsBase, srv.base), admin, { headers: { ConsistencyLevel: 'eventual' } });
    expect(next.body.value.map((g: { id: string }) => g.id)).toEqual(sorted.slice(2));
    // $filter on this relationship is an advanced query: ConsistencyLevel and $count (Learn: aad-advanced-queries).
    const filtered = await graph(`/users/${user}/transitiveMemberOf/microsoft.graph.group?$filter=${encodeURIComponent("displayName eq 'Memo B'")}&$count=true&$select=id`, { headers: { ConsistencyLevel: 'eventual' } });
    expect(filtered.body.value).toEqual([{ id: b }]);
    expect(filtered.body['@odata.count']).toBe(1);

    expect((await graph(`/groups/${b}/members/${c}/$ref`, { method: 'DELETE' })).status).toBe(204);
    expect((await graph(`/users/${user}/transitiveMemberOf?$select=id`)).body.value.map((g: { id: string }) => g.id)).toEqual([c]);
  });

  it('counts: /groups/$count and $count=true follow a created, renamed and deleted group at once (Learn: aad-advanced-queries, get-count)', async () => {
    const eventual = { headers: { ConsistencyLevel: 'eventual' } };
    const filter = encodeURIComponent("startswith(displayName,'Memo Count')");
    const count = async () => {
      const bare = await graph('/groups/$count', eventual);
      const filtered = await graph(`/groups/$count?$filter=${filter}`, eventual);
      const listed = await graph(`/groups?$filter=${filter}&$count=true&$top=1&$select=id`, eventual);
      expect([bare.status, filtered.status, listed.status]).toEqual([200, 200, 200]);
      expect(listed.body['@odata.count']).toBe(Number(filtered.body));
      return [Number(bare.body), Number(filtered.body)];
    };
    const [all, named] = await count();
    expect(await count()).toEqual([all, named]);
    const created = await graph('/groups', { method: 'POST', body: { displayName: `Memo Count ${engine}`, mailEnabled: false, mailNickname: `memo-${newGuid().slice(0, 8)}`, securityEnabled: true } });
    expect(created.status).toBe(201);
    expect(await count()).toEqual([all + 1, named + 1]);
    expect((await graph(`/groups/${created.body.id}`, { method: 'PATCH', body: { displayName: 'Renamed' } })).status).toBe(204);
    expect(await count()).toEqual([all + 1, named]);
    expect((await graph(`/groups/${created.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await count()).toEqual([all, named]);
  });

  it('list pages: plain, $filter, $orderby, a member scope and a $skiptoken page follow creates, renames, deletes and memberships at once (Learn: user-list, group-list-members)', async () => {
    const eventual = { headers: { ConsistencyLevel: 'eventual' } };
    const names = (r: { body: { value: { displayName: string }[] } }) => r.body.value.map((g) => g.displayName);
    const ids = (r: { body: { value: { id: string }[] } }) => r.body.value.map((g) => g.id);
    const prefix = `Memo Page ${engine}`;
    const filtered = () => graph(`/groups?$filter=${encodeURIComponent(`startswith(displayName,'${prefix}')`)}&$select=displayName&$top=5`);
    const ordered = () => graph(`/groups?$orderby=displayName&$filter=${encodeURIComponent(`startswith(displayName,'${prefix}')`)}&$count=true&$select=displayName&$top=5`, eventual);
    const mk = async (displayName: string) =>
      (await graph('/groups', { method: 'POST', body: { displayName, mailEnabled: false, mailNickname: `memo-${newGuid().slice(0, 8)}`, securityEnabled: true } })).body.id as string;
    const [b, d] = [await mk(`${prefix} B`), await mk(`${prefix} D`)];
    for (let i = 0; i < 2; i++) {
      expect(names(await ordered())).toEqual([`${prefix} B`, `${prefix} D`]);
      expect(names(await filtered()).sort()).toEqual([`${prefix} B`, `${prefix} D`]);
    }
    const a = await mk(`${prefix} A`);
    expect(names(await ordered())).toEqual([`${prefix} A`, `${prefix} B`, `${prefix} D`]);
    expect(names(await filtered()).sort()).toEqual([`${prefix} A`, `${prefix} B`, `${prefix} D`]);
    expect((await graph(`/groups/${a}`, { method: 'PATCH', body: { displayName: `${prefix} C` } })).status).toBe(204);
    expect(names(await ordered())).toEqual([`${prefix} B`, `${prefix} C`, `${prefix} D`]);
    expect((await graph(`/groups/${d}`, { method: 'DELETE' })).status).toBe(204);
    expect(names(await ordered())).toEqual([`${prefix} B`, `${prefix} C`]);
    expect(names(await filtered()).sort()).toEqual([`${prefix} B`, `${prefix} C`]);

    // A member scope and its second page: a page read again after a membership change is read afresh.
    const members = () => graph(`/groups/${b}/members?$select=id&$top=1`);
    const ref = (id: string) => ({ '@odata.id': `${srv.graph}/directoryObjects/${id}` });
    expect(ids(await members())).toEqual([]);
    const [x, y] = [await mk(`${prefix} X`), await mk(`${prefix} Y`)].sort();
    for (const m of [x, y]) expect((await graph(`/groups/${b}/members/$ref`, { method: 'POST', body: ref(m) })).status).toBe(204);
    const first = await members();
    expect(ids(first)).toEqual([x]);
    const second = () => graphFetch(first.body['@odata.nextLink'].replace(srv.httpsBase, srv.base), admin);
    expect(ids(await second())).toEqual([y]);
    expect(ids(await second())).toEqual([y]);
    expect((await graph(`/groups/${b}/members/${y}/$ref`, { method: 'DELETE' })).status).toBe(204);
    expect(ids(await second())).toEqual([]);
    expect(ids(await members())).toEqual([x]);

    // The plain list in id order, one page of every user: a new user is on it in the next read.
    const plain = () => graph('/users?$select=id&$top=999');
    const before = ids(await plain());
    expect(ids(await plain())).toEqual(before);
    const upn = `memo.first.${engine}@example.com`;
    const created = await graph('/users', { method: 'POST', body: { accountEnabled: true, displayName: 'Memo First', mailNickname: 'memo.first', userPrincipalName: upn, passwordProfile: { password: 'Memo!First2026' } } });
    expect(created.status).toBe(201);
    expect(ids(await plain())).toEqual([...before, created.body.id].sort());
    expect((await graph(`/users/${created.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(ids(await plain())).toEqual(before);
  });

  it('single-entity reads by id and by userPrincipalName follow a rename and a delete at once (Learn: user-get)', async () => {
    const upn = `memo.single.${engine}@example.com`;
    const created = await graph('/users', { method: 'POST', body: { accountEnabled: true, displayName: 'Memo Single', mailNickname: 'memo.single', userPrincipalName: upn, passwordProfile: { password: 'Memo!Single2026' } } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const read = async () => Promise.all([graph(`/users/${id}?$select=displayName`), graph(`/users/${upn}?$select=displayName`)]);
    for (let i = 0; i < 2; i++) expect((await read()).map((r) => r.body.displayName)).toEqual(['Memo Single', 'Memo Single']);
    expect((await graph(`/users/${id}`, { method: 'PATCH', body: { displayName: 'Memo Renamed' } })).status).toBe(204);
    expect((await read()).map((r) => r.body.displayName)).toEqual(['Memo Renamed', 'Memo Renamed']);
    expect((await graph(`/users/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await read()).map((r) => r.status)).toEqual([404, 404]);
  });

  it('Adaxes o365Account/properties: a license assigned through Graph is assigned and counted in the next read', async () => {
    const { token } = await signIn(srv.base);
    const user = (await srv.tb.dir.user('irvin.sayers@example.com'))!;
    const read = async () => license((await properties(srv.base, token, user.dn!)).body, BP);
    const before = await read();
    expect((await read()).consumedUnits).toBe(before.consumedUnits);
    const skuId = (await graph('/subscribedSkus')).body.value.find((s: { skuPartNumber: string }) => s.skuPartNumber === BP).skuId;
    const change = before.assigned ? { addLicenses: [], removeLicenses: [skuId] } : { addLicenses: [{ skuId, disabledPlans: [] }], removeLicenses: [] };
    expect((await graph(`/users/${user.id}/assignLicense`, { method: 'POST', body: change })).status).toBe(200);
    const after = await read();
    expect(after.assigned).toBe(!before.assigned);
    expect(after.consumedUnits).toBe(before.consumedUnits + (before.assigned ? -1 : 1));
  });
  it('Adaxes o365Account/properties: the kept answer follows a change to the user made through Graph (Adaxes: o365Account properties, Learn: user-update)', async () => {
    const { token } = await signIn(srv.base);
    const user = (await srv.tb.dir.user('irvin.sayers@example.com'))!;
    const read = async () => (await properties(srv.base, token, user.dn!)).body;
    const before = await read();
    expect(await read()).toEqual(before);
    const location = before.locationName === 'NO' ? 'SE' : 'NO';
    expect((await graph(`/users/${user.id}`, { method: 'PATCH', body: { usageLocation: location, accountEnabled: before.signInBlocked } })).status).toBe(204);
    const after = await read();
    expect([after.locationName, after.signInBlocked]).toEqual([location, !before.signInBlocked]);
    expect((await graph(`/users/${user.id}`, { method: 'PATCH', body: { accountEnabled: true } })).status).toBe(204);
  });

  it('Adaxes: a kept token stops working once revoked, and its session ends with it (Adaxes: DELETE /api/auth)', async () => {
    const { token } = await signIn(srv.base);
    const dn = (await srv.tb.dir.user('irvin.sayers@example.com'))!.dn!;
    for (let i = 0; i < 2; i++) expect((await properties(srv.base, token, dn)).status).toBe(200);
    expect((await call(srv.base, 'DELETE', `/api/auth${q({ token })}`)).status).toBe(204);
    expect((await properties(srv.base, token, dn)).status).toBe(401);
  });

  it('Adaxes: a changed configuration applies to the next request of a caller whose reads are kept (Adaxes: REST_AllowedOperations)', async () => {
    const { token } = await signIn(srv.base);
    const dn = (await srv.tb.dir.user('irvin.sayers@example.com'))!.dn!;
    const saved = (await call(srv.base, 'GET', '/admin/adaxes/configuration')).body;
    for (let i = 0; i < 2; i++) expect((await properties(srv.base, token, dn)).status).toBe(200);
    const put = (config: unknown) => call(srv.base, 'PUT', '/admin/adaxes/configuration', { body: config });
    try {
      expect((await put({ ...saved, allowedOperations: saved.allowedOperations.filter((o: string) => o !== 'View') })).status).toBe(200);
      const refused = await properties(srv.base, token, dn);
      expect(refused.status).toBe(403);
      expect(refused.body.message).toContain("'View' operation is disabled");
    } finally {
      expect((await put(saved)).status).toBe(200);
    }
    expect((await properties(srv.base, token, dn)).status).toBe(200);
  });

  it('Adaxes: an object read by DN follows a change made through Graph (Adaxes: GET /api/directoryObjects, Learn: user-update)', async () => {
    const { token } = await signIn(srv.base);
    const user = (await srv.tb.dir.user('irvin.sayers@example.com'))!;
    const read = async () => (await call(srv.base, 'GET', `/api/directoryObjects${q({ directoryObject: user.dn!, properties: 'department' })}`, { token })).body.properties.department;
    const first = await read();
    expect(await read()).toEqual(first);
    const department = `Memo ${engine} ${newGuid().slice(0, 8)}`;
    expect((await graph(`/users/${user.id}`, { method: 'PATCH', body: { department } })).status).toBe(204);
    expect(await read()).toEqual([department]);
  });
});
