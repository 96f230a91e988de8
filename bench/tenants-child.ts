// A Tenantbox for the tenant benchmark (bench/tenants.ts), run as a child so that autocannon and the server do not
// share an event loop. It makes and resets tenants on request over IPC and reports what each took.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTenantbox, type TenantHandle } from '../src/index.js';
import demo from '../src/tenants/demo-tenant.fixture.json' with { type: 'json' };

export interface TenantsChildArgs {
  store: 'memory' | 'disk' | 'postgres';
  pgUrl: string;
}

export type TenantsRequest = { id: number; cmd: 'create'; count: number } | { id: number; cmd: 'reset'; count: number } | { id: number; cmd: 'memory' };

const args = JSON.parse(process.argv[2]) as TenantsChildArgs;
const dataDir = mkdtempSync(join(tmpdir(), 'tenantbox-bench-tenants-'));
const schema = `bench_tenants_${process.pid}`;
const tb = await createTenantbox({
  logLevel: 'silent',
  runtimeFile: false,
  sharedTls: true,
  ...(args.store === 'memory' ? { inMemory: true } : args.store === 'disk' ? { dataDir } : { dataDir, database: args.pgUrl, pgSchema: schema }),
});
const tenants: TenantHandle[] = [];
// The demo tenant's fixture (167 objects: users, groups, devices, schools, classes, apps, licences, roles).
const fixture = demo as Record<string, unknown>;

process.on('message', async (m: TenantsRequest) => {
  if (m.cmd === 'create') {
    const ms: number[] = [];
    for (let i = 0; i < m.count; i++) {
      const t0 = performance.now();
      tenants.push(await tb.createTenant(fixture));
      ms.push(performance.now() - t0);
    }
    // One token per new tenant, for the keyed GETs.
    const fresh = tenants.slice(-m.count);
    const tokens: string[] = [];
    for (const t of fresh) tokens.push(await t.appToken('Tenant Admin'));
    process.send!({ id: m.id, ms, tokens, ids: fresh.map((t) => t.id) });
  } else if (m.cmd === 'reset') {
    const ms: number[] = [];
    for (let i = 0; i < m.count; i++) {
      const t0 = performance.now();
      await tenants[0].reset();
      ms.push(performance.now() - t0);
    }
    process.send!({ id: m.id, ms });
  } else if (m.cmd === 'memory') {
    process.send!({ id: m.id, rss: process.memoryUsage().rss });
  }
});

process.on('disconnect', async () => {
  await tb.close();
  if (args.store === 'postgres') {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: args.pgUrl });
    await client.connect();
    const { rows } = await client.query<{ schema_name: string }>('select schema_name from information_schema.schemata where schema_name like $1', [`${schema}%`]);
    for (const r of rows) await client.query(`drop schema "${r.schema_name}" cascade`);
    await client.end();
  }
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});

process.send!({ ready: true, url: tb.httpUrl.replace('localhost', '127.0.0.1') });
