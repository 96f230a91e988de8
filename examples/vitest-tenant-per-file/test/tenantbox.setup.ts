import type { TestProject } from 'vitest/node';
import { createTenantbox } from 'tenantbox';

export default async function setup(project: TestProject) {
  // In memory; or PostgreSQL when DATABASE_URL names one (each tenant is then a schema beside the server's).
  const tb = await createTenantbox(process.env.DATABASE_URL ? { database: process.env.DATABASE_URL, pgSchema: process.env.DATABASE_SCHEMA } : {});
  process.env.NODE_EXTRA_CA_CERTS = tb.caCertificatePath; // before the workers start, for the HTTPS clients
  project.provide('tenantbox', tb.httpUrl);
  return () => tb.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    tenantbox: string;
  }
}
