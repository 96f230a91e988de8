// A client-credentials request to one tenant's token endpoint, answered as Entra answers it (status and body).
export async function clientCredentials(base: string, tenant: string, app: { clientId: string; clientSecret?: string }) {
  const res = await fetch(`${base}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret ?? '', scope: 'https://graph.microsoft.com/.default' }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
