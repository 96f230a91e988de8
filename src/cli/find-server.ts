// Finds the running server a command is about: by --port (the temp dir's port-keyed runtime file), by --data-dir
// (its runtime.json), or else the default data dir's server, or else the newest running one.
import { resolve } from 'node:path';
import { resolveConfig } from '../config.js';
import { dataDirRuntimePath, liveServers, portRuntimePath, readRuntimeFile, type RuntimeInfo } from '../runtime-file.js';

export interface Found {
  server: RuntimeInfo | undefined;
  /** Said on stderr: which server was chosen when several run, or that none was found. */
  note?: string;
}

export function findServer(flags: { port?: unknown; dataDir?: unknown }): Found {
  if (flags.port !== undefined) {
    const { port } = resolveConfig({ port: flags.port }, {});
    const server = readRuntimeFile(portRuntimePath(port));
    return { server, ...(server ? {} : { note: `no running Tenantbox server is recorded on port ${port}` }) };
  }
  if (flags.dataDir !== undefined) {
    const dir = resolve(String(flags.dataDir));
    const server = readRuntimeFile(dataDirRuntimePath(dir));
    return { server, ...(server ? {} : { note: `no running Tenantbox server uses ${dir}` }) };
  }
  const own = readRuntimeFile(dataDirRuntimePath(resolveConfig({}).dataDir));
  if (own) return { server: own };
  const live = liveServers();
  if (live.length > 1) return { server: live[0], note: `${live.length} servers are running (ports ${live.map((s) => s.port).join(', ')}); this is the newest, on port ${live[0].port} (choose with --port)` };
  return { server: live[0], ...(live[0] ? {} : { note: 'no running Tenantbox server found' }) };
}
