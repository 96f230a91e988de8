// Runs once before the test workers start: makes the shared test certificate and tells every worker's TLS stack to
// trust it, as users do with NODE_EXTRA_CA_CERTS=$(npx tenantbox cert). Node reads the variable at process start,
// so it must be set here, before the workers are forked.
import { certPath, loadTls } from '../../src/auth/tls.js';

export default async function setup() {
  await loadTls(undefined);
  process.env.NODE_EXTRA_CA_CERTS = certPath(undefined);
}
