// `tenantbox cert`: the PEM path of the certificate the server presents. A running server's own record wins; with
// no server running it is the data dir's certificate (or, with --in-memory, the one in-memory servers use), made
// now if need be so that it can be trusted before the server starts.
import { resolveConfig } from '../config.js';
import { certPath, loadTls } from '../auth/tls.js';
import { findServer } from './find-server.js';

export async function certCommand(flags: Record<string, unknown>) {
  if (!flags.inMemory) {
    const found = findServer({ port: flags.port, dataDir: flags.dataDir });
    if (found.server) {
      if (found.note) process.stderr.write(`tenantbox: ${found.note}.\n`);
      process.stdout.write(`${found.server.certPath}\n`);
      return;
    }
    if (flags.port !== undefined) throw new Error(`${found.note}; start it first, or use --data-dir / --in-memory to name the certificate without a server.`);
  }
  const dataDir = flags.inMemory ? undefined : resolveConfig({ dataDir: flags.dataDir }).dataDir;
  await loadTls(dataDir);
  process.stdout.write(`${certPath(dataDir)}\n`);
}
