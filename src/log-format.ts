// Log output: pino's JSON lines, or for a person at a terminal one short readable line per entry.
import { Writable } from 'node:stream';

export type LogFormat = 'pretty' | 'json';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Formats one pino JSON line for reading: time, level, message, and the error's stack when there is one. */
export function prettyLine(json: string): string {
  let entry: { level?: number; time?: number; msg?: string; err?: { stack?: string; message?: string } };
  try {
    entry = JSON.parse(json);
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = new Date(entry.time ?? Date.now()).toISOString().slice(11, 23);
  const level = (LEVELS[entry.level ?? 30] ?? String(entry.level)).padEnd(5);
  const err = entry.err?.stack ?? entry.err?.message;
  return `${time} ${level} ${entry.msg ?? ''}${err ? `\n${err}` : ''}\n`;
}

export function prettyStream(out: NodeJS.WritableStream = process.stdout): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      const text = chunk.toString();
      out.write(text.split('\n').filter(Boolean).map(prettyLine).join(''));
      cb();
    },
  });
}

/** The format to use when none is asked for: readable on a terminal, JSON for machines. */
export function defaultLogFormat(stream: { isTTY?: boolean } = process.stdout): LogFormat {
  return stream.isTTY ? 'pretty' : 'json';
}
