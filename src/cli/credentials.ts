// `tenantbox credentials`: the demo tenant's credentials with the URLs of the running server (or, when none runs,
// of the ports given or the defaults).
import { resolveConfig } from '../config.js';
import { DEMO_PASSWORD } from '../directory/demo-data.js';
import { DEFAULT_APP, demoCredentials, envLines, type ServerUrls } from '../demo-credentials.js';
import { findServer } from './find-server.js';

export function credentialsCommand(flags: Record<string, unknown>) {
  const found = findServer({ port: flags.port, dataDir: flags.dataDir });
  let urls: ServerUrls | undefined = found.server;
  if (!urls) {
    const c = resolveConfig({ port: flags.port, httpsPort: flags.httpsPort, host: flags.host });
    const host = c.host === '127.0.0.1' || c.host === '0.0.0.0' ? 'localhost' : c.host;
    urls = { httpUrl: `http://${host}:${c.port}`, httpsUrl: `https://${host}:${c.httpsPort}` };
    process.stderr.write(`tenantbox: ${found.note}; the URLs assume ports ${c.port} (HTTP) and ${c.httpsPort} (HTTPS).\n`);
  } else if (found.note) process.stderr.write(`tenantbox: ${found.note}.\n`);
  const out = demoCredentials(urls);
  if (flags.env) {
    process.stdout.write(`${envLines(out, flags.app === undefined ? DEFAULT_APP : String(flags.app)).join('\n')}\n`);
    return;
  }
  if (flags.app !== undefined) throw new Error('--app goes with --env.');
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const lines = [`Tenant ${out.tenantId} (${out.domain})`, `Graph ${out.graph.baseUrl}`, `Token endpoint ${out.graph.tokenUrl}`, ''];
  for (const a of out.graph.apps) lines.push(`${a.name.padEnd(24)} client_id=${a.clientId}${a.clientSecret ? ` client_secret=${a.clientSecret}` : ' (public client)'}  roles=${a.roles.join(',') || '-'}`);
  lines.push('', `Users: any demo user, password ${DEMO_PASSWORD} (e.g. ${out.adaxes.username}); administrators:`);
  for (const u of out.graph.users.filter((u) => u.directoryRoles.length)) lines.push(`  ${u.username.padEnd(32)} ${u.directoryRoles.join(', ')}`);
  lines.push(`Adaxes: ${out.adaxes.baseUrl}/api as ${out.adaxes.username}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
