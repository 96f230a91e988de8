// The in-process API as a test file uses it: import the package's compiled entry point and createTenantbox() on
// the port given; bench/startup.ts times this process to its first 200 on /health.
const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
const { createTenantbox } = await import('../dist/index.js');
const tb = await createTenantbox({ port, httpsPort: 0, logLevel: 'warn', runtimeFile: false });
process.once('SIGTERM', () => tb.close().then(() => process.exit(0)));
