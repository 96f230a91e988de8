import { createTenantbox } from '../src/index.js';
import demo from '../src/tenants/demo-tenant.fixture.json' with { type: 'json' };
const tb = await createTenantbox({ logLevel: 'warn' });
const h = tb.httpUrl.replace('localhost', '127.0.0.1');
const body = JSON.stringify(demo);
for (let i = 0; i < 8; i++) {
  const t0 = performance.now();
  const r = await fetch(h + '/admin/tenants', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await r.text();
  console.log(r.status, (performance.now() - t0).toFixed(1));
}
await tb.close();
