// The tenantbox command as a real process (bin/tenantbox.js, the compiled CLI): run to completion, or serve until told to stop.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const BIN = join(import.meta.dirname, '../../bin/tenantbox.js');

export async function cli(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...opts.env }, cwd: opts.cwd, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

export interface Served {
  proc: ChildProcess;
  banner: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts `tenantbox serve <args>` and waits for the banner's last line. */
export async function serve(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<Served> {
  const proc = spawn(process.execPath, [BIN, 'serve', ...args], { env: { ...process.env, ...opts.env }, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 60_000);
    const check = () => {
      if (out.includes('Credentials:')) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    proc.stdout!.on('data', check);
    exited.then((code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  return {
    proc,
    banner,
    output: () => out,
    async stop() {
      proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
