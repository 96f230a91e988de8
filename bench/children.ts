// The bench's child processes (the bare server, Tenantbox): forked with tsx, ready when they say so over IPC, then
// asked for things by message id. Pinning a child to one CPU (taskset, every thread) gives the one-core figure.
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface Child<Ready> {
  proc: ChildProcess;
  ready: Ready;
  call<T = Record<string, unknown>>(msg: Record<string, unknown>): Promise<T>;
}

export function spawnChild<Ready>(dir: string, file: string, args: string[] = [], profileDir?: string): Promise<Child<Ready>> {
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const proc = fork(join(dir, file), args, { execArgv: ['--import', 'tsx', ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const waiting = new Map<number, (m: Record<string, unknown>) => void>();
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
    proc.on('message', (m: Record<string, unknown>) => {
      if (m.ready) {
        resolve({
          proc,
          ready: m as unknown as Ready,
          call: <T>(msg: Record<string, unknown>) =>
            new Promise<T>((res) => {
              const id = next++;
              waiting.set(id, res as (m: Record<string, unknown>) => void);
              proc.send({ ...msg, id });
            }),
        });
      } else if (typeof m.id === 'number') {
        waiting.get(m.id)?.(m);
        waiting.delete(m.id);
      }
    });
  });
}

export function stopChild(child: Child<unknown>): Promise<void> {
  return new Promise((resolve) => {
    child.proc.removeAllListeners('exit');
    child.proc.once('exit', () => resolve());
    child.proc.disconnect();
    setTimeout(() => child.proc.kill('SIGKILL'), 15_000).unref();
  });
}

/** Why the one-core figure cannot be made here, or undefined when taskset can pin processes. */
export function cannotPin(): string | undefined {
  const r = spawnSync('taskset', ['-p', String(process.pid)], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'not measured: taskset is not available on this machine';
  return undefined;
}

function affinity(pid: number, list?: string): string {
  const args = list === undefined ? ['-p', '-c', String(pid)] : ['-a', '-p', '-c', list, String(pid)];
  const r = spawnSync('taskset', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.trim().split(': ').pop()!;
}

/** Runs `fn` with every thread of `pid` on CPU 0, then gives the process back the CPUs it had. */
export async function onOneCore<T>(pid: number, fn: () => Promise<T>): Promise<T> {
  const before = affinity(pid);
  affinity(pid, '0');
  try {
    return await fn();
  } finally {
    affinity(pid, before);
  }
}
