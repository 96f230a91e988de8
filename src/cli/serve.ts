import { resolveConfig } from '../config.js';
import { startTenantbox } from '../server.js';
import type { FaultSpec } from '../graph/faults.js';

const describeFaults = (f: FaultSpec) =>
  `${Math.round(f.rate * 100)}% of Graph requests` + (f.latencyMs ? ` delayed ${f.latencyMs} ms` : '') + (f.status ? ` fail with ${f.status}` : '');

/** Commander gives camelCase keys; --no-seed / --no-admin arrive as seed:false / admin:false. */
export async function serveCommand(flags: Record<string, unknown>) {
  const config = resolveConfig({
    port: flags.port,
    httpsPort: flags.httpsPort,
    host: flags.host,
    dataDir: flags.dataDir,
    inMemory: flags.inMemory,
    database: flags.database,
    seed: flags.seed === false ? false : undefined,
    logLevel: flags.logLevel,
    logFormat: flags.logFormat,
    adminKey: flags.adminKey,
    allowedHosts: flags.allowedHosts,
    admin: flags.admin === false ? false : undefined,
    adaxesTokenMinutes: flags.adaxesTokenMinutes,
    adaxesSessionMinutes: flags.adaxesSessionMinutes,
    throttle: flags.throttle,
    faults: flags.faults,
    tenants: Array.isArray(flags.tenant) && flags.tenant.length ? flags.tenant : undefined,
  });
  const tb = await startTenantbox(config);
  // By port the CLI finds this very server, whichever data dir or ports it uses.
  const finder = ` --port ${tb.runtime.port}`;
  const where = config.inMemory ? 'in memory (nothing is kept)' : config.database?.startsWith('postgres') ? 'PostgreSQL' : `${config.dataDir}`;
  process.stdout.write(
    [
      `Tenantbox is serving the tenant ${tb.dir.tenant.domain} (${tb.dir.tenant.id})`,
      `  Graph    ${tb.httpUrl}/v1.0   ${tb.httpsUrl}/v1.0`,
      `  Adaxes   ${tb.httpUrl}/api    ${tb.httpsUrl}/api`,
      `  OAuth    ${tb.httpsUrl}/${tb.dir.tenant.id}/oauth2/v2.0/token`,
      `  Data     ${where}`,
      ...(config.throttle ? ['  Throttle on: Graph resource-unit budgets per app and tenant (per node)'] : []),
      ...(config.faults ? [`  Faults   on: ${describeFaults(config.faults)}`] : []),
      `  TLS      ${tb.certPath}`,
      `Credentials: npx tenantbox credentials${finder}    TLS certificate: npx tenantbox cert${finder}`,
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await tb.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
