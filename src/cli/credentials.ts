import { resolveConfig } from '../config.js';
import { APPS, DEMO_DOMAIN, DEMO_PASSWORD, DEMO_ROLE_HOLDERS, DEMO_TENANT_ID, appClientId, appSecret } from '../directory/demo-data.js';

export function credentialsCommand(flags: Record<string, unknown>) {
  const c = resolveConfig({ port: flags.port, httpsPort: flags.httpsPort, host: flags.host });
  const host = c.host === '127.0.0.1' || c.host === '0.0.0.0' ? 'localhost' : c.host;
  const https = `https://${host}:${c.httpsPort}`;
  const http = `http://${host}:${c.port}`;
  const out = {
    tenantId: DEMO_TENANT_ID,
    domain: DEMO_DOMAIN,
    graph: {
      baseUrl: `${https}/v1.0`,
      authorityHost: https,
      tokenUrl: `${https}/${DEMO_TENANT_ID}/oauth2/v2.0/token`,
      apps: APPS.map((a) => ({
        name: a.name,
        clientId: appClientId(a.name),
        clientSecret: a.publicClient ? null : appSecret(a.name),
        roles: a.roles,
        scopes: a.scopes,
        directoryRoles: a.directoryRoles ?? [],
      })),
      users: [
        { username: `john.smith@${DEMO_DOMAIN}`, password: DEMO_PASSWORD, note: 'every demo user has this password', directoryRoles: [] as string[] },
        ...DEMO_ROLE_HOLDERS.map((h) => ({ username: h.upn, password: DEMO_PASSWORD, note: 'directory roles bound what a delegated token may do', directoryRoles: h.roles })),
      ],
    },
    adaxes: { baseUrl: http, username: `john.smith@${DEMO_DOMAIN}`, password: DEMO_PASSWORD },
  };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const lines = [`Tenant ${out.tenantId} (${out.domain})`, `Token endpoint ${out.graph.tokenUrl}`, ''];
  for (const a of out.graph.apps) lines.push(`${a.name.padEnd(24)} client_id=${a.clientId}${a.clientSecret ? ` client_secret=${a.clientSecret}` : ' (public client)'}  roles=${a.roles.join(',') || '-'}`);
  lines.push('', `Users: any demo user, password ${DEMO_PASSWORD} (e.g. john.smith@${DEMO_DOMAIN}); administrators:`);
  for (const h of DEMO_ROLE_HOLDERS) lines.push(`  ${h.upn.padEnd(32)} ${h.roles.join(', ')}`);
  lines.push(`Adaxes: ${out.adaxes.baseUrl}/api as ${out.adaxes.username}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
