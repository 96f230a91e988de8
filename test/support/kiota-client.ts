// Microsoft's Kiota-generated Graph SDK (@microsoft/msgraph-sdk and its service packages), unmodified but for the
// base URL, authenticated by @azure/identity through @microsoft/kiota-authentication-azure with localhost allowed.
import { ClientSecretCredential } from '@azure/identity';
import { AzureIdentityAuthenticationProvider } from '@microsoft/kiota-authentication-azure';
import { createGraphServiceClient, GraphRequestAdapter, type GraphServiceClient } from '@microsoft/msgraph-sdk';
import '@microsoft/msgraph-sdk-users';
import '@microsoft/msgraph-sdk-directoryobjects';
import '@microsoft/msgraph-sdk-directory';
import '@microsoft/msgraph-sdk-organization';
import { DEMO_TENANT_ID, appClientId, appSecret } from '../../src/directory/demo-data.js';
import type { TestServer } from './server.js';

export function kiotaClientForApp(s: TestServer, appName: string): GraphServiceClient {
  const credential = new ClientSecretCredential(DEMO_TENANT_ID, appClientId(appName), appSecret(appName), {
    authorityHost: s.httpsBase,
    disableInstanceDiscovery: true,
  });
  const auth = new AzureIdentityAuthenticationProvider(credential, ['https://graph.microsoft.com/.default'], undefined, new Set(['localhost']));
  const adapter = new GraphRequestAdapter(auth);
  adapter.baseUrl = `${s.httpsBase}/v1.0`;
  return createGraphServiceClient(adapter);
}
