import { resolveConfig } from '../config.js';
import { certPath, loadTls } from '../auth/tls.js';

export async function certCommand(flags: Record<string, unknown>) {
  const c = resolveConfig({ dataDir: flags.dataDir });
  await loadTls(c.dataDir);
  process.stdout.write(`${certPath(c.dataDir)}\n`);
}
