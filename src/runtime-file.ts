// What a running server really serves (URLs, ports, certificate), written where the CLI can find it: in the data
// dir, and for every server under the OS temp dir keyed by HTTP port, so in-memory servers can be found too.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './process-alive.js';

export interface RuntimeInfo {
  pid: number;
  startedAt: string;
  tenantId: string;
  domain: string;
  host: string;
  port: number;
  httpsPort: number;
  httpUrl: string;
  httpsUrl: string;
  graphUrl: string;
  authorityHost: string;
  tokenUrl: string;
  adaxesUrl: string;
  certPath: string;
  /** The data dir; absent for in-memory servers. */
  dataDir?: string;
  store: 'memory' | 'sqlite' | 'postgres';
}

export const RUNTIME_FILE = 'runtime.json';

/** The folder of port-keyed runtime files, one per running server on this machine. */
export function runDir(): string {
  return join(tmpdir(), 'tenantbox-run');
}

export function portRuntimePath(port: number): string {
  return join(runDir(), `${port}.json`);
}

export function dataDirRuntimePath(dataDir: string): string {
  return join(dataDir, RUNTIME_FILE);
}

function writeAtomically(path: string, text: string) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
}

/** Records the server; returns a function that removes what it wrote (only while the files are still its own). */
export function writeRuntimeFiles(info: RuntimeInfo): () => void {
  const text = `${JSON.stringify(info, null, 2)}\n`;
  const paths = [portRuntimePath(info.port)];
  mkdirSync(runDir(), { recursive: true });
  if (info.dataDir) paths.push(dataDirRuntimePath(info.dataDir));
  for (const p of paths) writeAtomically(p, text);
  return () => {
    for (const p of paths) {
      const current = readRuntimeFile(p, { alive: false });
      if (current?.pid === info.pid && current.port === info.port) rmSync(p, { force: true });
    }
  };
}

/** A runtime file's content, or undefined when missing, unreadable or (unless told otherwise) left by a process that is gone. */
export function readRuntimeFile(path: string, opts: { alive?: boolean } = {}): RuntimeInfo | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as RuntimeInfo;
    if (typeof info.pid !== 'number' || typeof info.port !== 'number') return undefined;
    if (opts.alive !== false && !processAlive(info.pid)) return undefined;
    return info;
  } catch {
    return undefined;
  }
}

/** Every live server recorded under the temp dir, newest first. */
export function liveServers(): RuntimeInfo[] {
  if (!existsSync(runDir())) return [];
  const found: { info: RuntimeInfo; mtime: number }[] = [];
  for (const name of readdirSync(runDir())) {
    if (!/^\d+\.json$/.test(name)) continue;
    const path = join(runDir(), name);
    const info = readRuntimeFile(path);
    if (info) found.push({ info, mtime: statSync(path).mtimeMs });
  }
  return found.sort((a, b) => b.mtime - a.mtime).map((f) => f.info);
}
