import type { TestProject } from 'vitest/node';
import { createTenantbox } from 'tenantbox';

export default async function setup(project: TestProject) {
  const tb = await createTenantbox();
  process.env.NODE_EXTRA_CA_CERTS = tb.caCertificatePath; // before the workers start, for the HTTPS clients
  project.provide('tenantbox', tb.httpUrl);
  return () => tb.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    tenantbox: string;
  }
}
