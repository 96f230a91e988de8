// The official Graph SDK client, unmodified but for base URL and custom host, authenticated by @azure/identity.
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { ClientSecretCredential } from '@azure/identity';
import { DEMO_TENANT_ID, appClientId, appSecret } from '../../src/directory/demo-data.js';
import type { TestServer } from './server.js';

export function graphClientForApp(s: TestServer, appName: string): Client {
  const credential = new ClientSecretCredential(DEMO_TENANT_ID, appClientId(appName), appSecret(appName), {
    authorityHost: s.httpsBase,
    disableInstanceDiscovery: true,
  });
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] });
  return Client.initWithMiddleware({ authProvider, baseUrl: `${s.httpsBase}/v1.0`, defaultVersion: '', customHosts: new Set(['localhost']) });
}
