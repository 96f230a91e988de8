// One Tenantbox for the whole run; every test file makes a tenant of its own from a fixture (milliseconds), so
// files run in parallel without seeing each other's writes.
import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { globalSetup: ['./test/tenantbox.setup.ts'], include: ['test/**/*.test.ts'] } });
