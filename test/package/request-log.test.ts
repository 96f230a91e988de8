// Logs a person can read: one line per request at the default level (method, path with query with secrets masked,
// status, time, caller), the reason on 401/403, JSON when asked or when not a terminal, readable lines with
// --log-format pretty; seed progress printed as lines when stderr is no terminal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cli, serve, type Served } from './cli-process.js';
import { callerOf, redactUrl, refusalReason } from '../../src/request-log.js';
import { prettyLine } from '../../src/log-format.js';
import { lineProgress } from '../../src/cli/progress-lines.js';
import { DEMO_TENANT_ID, appClientId, appSecret } from '../../src/directory/demo-data.js';
import { SMALL_SDS, writeSdsFixture } from '../education/sds-fixture.js';

const work = mkdtempSync(join(tmpdir(), 'tenantbox-logs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const baseOf = (s: Served) => /Graph\s+(http:\/\/\S+)\/v1\.0/.exec(s.banner)![1].replace('localhost', '127.0.0.1');

async function token(base: string, app: string) {
  const res = await fetch(`${base}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: appClientId(app), client_secret: appSecret(app), scope: 'https://graph.microsoft.com/.default' }).toString(),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** The JSON log lines written so far, once `count` request lines are there. */
async function requestLines(s: Served, count: number) {
  for (let i = 0; i < 100; i++) {
    const lines = s
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => typeof l.status === 'number');
    if (lines.length >= count) return lines;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fewer than ${count} request lines in: ${s.output()}`);
}

describe('request lines', () => {
  test('JSON (not a terminal): one line per request with caller, masked secrets, and the reason of refusals', async () => {
    const s = await serve(['--in-memory', '--port', '0', '--https-port', '0']);
    try {
      const base = baseOf(s);
      const reader = await token(base, 'Directory Reader');
      const users = await fetch(`${base}/v1.0/users?$top=1&password=hunter2`, { headers: { authorization: `Bearer ${reader}` } });
      expect(users.status).toBe(200);
      const anonymous = await fetch(`${base}/v1.0/users`);
      expect(anonymous.status).toBe(401);
      const anonymousBody = await anonymous.text();
      const denied = await fetch(`${base}/v1.0/devices`, { headers: { authorization: `Bearer ${await token(base, 'No Permissions')}` } });
      expect(denied.status).toBe(403);
      const deniedBody = await denied.text();
      const lines = await requestLines(s, 5);
      const tokenLine = lines.find((l) => String(l.url).includes('/oauth2/v2.0/token'))!;
      expect(tokenLine).toMatchObject({ method: 'POST', status: 200, level: 30 });
      const ok = lines.find((l) => String(l.url).startsWith('/v1.0/users?'))!;
      expect(ok).toMatchObject({ method: 'GET', url: '/v1.0/users?$top=1&password=***', status: 200, app: 'Directory Reader' });
      expect(typeof ok.ms).toBe('number');
      expect(String(ok.msg)).toMatch(/^GET \/v1\.0\/users\?\$top=1&password=\*\*\* 200 [\d.]+ ms Directory Reader$/);
      expect(s.output()).not.toContain('hunter2');
      const unauth = lines.find((l) => l.url === '/v1.0/users')!;
      expect(unauth.status).toBe(401);
      expect(unauth.reason).toBe(refusalReason(anonymousBody));
      expect(String(unauth.reason)).toMatch(/InvalidAuthenticationToken/);
      const forbidden = lines.find((l) => l.url === '/v1.0/devices')!;
      expect(forbidden).toMatchObject({ status: 403, app: 'No Permissions' });
      // The client's message (Graph names no permission), then what the route accepts and what the token holds.
      expect(String(forbidden.reason).startsWith(`${refusalReason(deniedBody)}; GET /devices accepts `)).toBe(true);
      expect(String(forbidden.reason)).toMatch(/accepts [^;]*Device\.Read\.All[^;]*; the token has none$/);
    } finally {
      await s.stop();
    }
  });

  test('--log-format pretty: a readable line per request', async () => {
    const s = await serve(['--in-memory', '--port', '0', '--https-port', '0', '--log-format', 'pretty']);
    try {
      await fetch(`${baseOf(s)}/health?x=1`);
      for (let i = 0; i < 100 && !/GET \/health\?x=1 200/.test(s.output()); i++) await new Promise((r) => setTimeout(r, 50));
      expect(s.output()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  GET \/health\?x=1 200 [\d.]+ ms$/m);
      expect(s.output()).not.toMatch(/^\{"level"/m);
    } finally {
      await s.stop();
    }
  });

  test('--log-level warn writes no request lines; a bad --log-format names the flag', async () => {
    const s = await serve(['--in-memory', '--port', '0', '--https-port', '0', '--log-level', 'warn']);
    try {
      await fetch(`${baseOf(s)}/health`);
      await new Promise((r) => setTimeout(r, 200));
      expect(s.output()).not.toContain('/health');
    } finally {
      await s.stop();
    }
    const bad = await cli(['serve', '--in-memory', '--log-format', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--log-format');
  });
});

describe('the parts', () => {
  test('redactUrl masks credential parameters only', () => {
    expect(redactUrl('/token?client_secret=s3&scope=x&Password=p&code=c')).toBe('/token?client_secret=***&scope=x&Password=***&code=***');
    expect(redactUrl('/v1.0/users?$filter=startswith(displayName,%27a%27)')).toBe('/v1.0/users?$filter=startswith(displayName,%27a%27)');
    expect(redactUrl('/v1.0/users')).toBe('/v1.0/users');
  });

  test('callerOf reads app and user from a bearer token and ignores anything else', () => {
    const jwt = (claims: object) => `Bearer e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
    expect(callerOf(jwt({ app_displayname: 'Roster Reader', appid: 'x' }))).toEqual({ app: 'Roster Reader' });
    expect(callerOf(jwt({ appid: 'abc', upn: 'john.smith@example.com' }))).toEqual({ app: 'abc', user: 'john.smith@example.com' });
    expect(callerOf('Basic dXNlcjpwYXNz')).toEqual({});
    expect(callerOf('Bearer not-a-jwt')).toEqual({});
    expect(callerOf(undefined)).toEqual({});
  });

  test('refusalReason reads Graph, OAuth and Adaxes error bodies', () => {
    expect(refusalReason(JSON.stringify({ error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges.' } }))).toBe('Authorization_RequestDenied: Insufficient privileges.');
    expect(refusalReason(JSON.stringify({ error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret.\r\nTrace ID: 1' }))).toBe('invalid_client: AADSTS7000215: Invalid client secret.');
    expect(refusalReason(JSON.stringify({ message: 'The session has expired.', code: 401 }))).toBe('The session has expired.');
    expect(refusalReason('<html>')).toBeUndefined();
  });

  test('prettyLine gives time, level and message, and an error stack when there is one', () => {
    expect(prettyLine(JSON.stringify({ level: 30, time: Date.parse('2026-01-02T03:04:05.678Z'), msg: 'GET / 200 1 ms' }))).toBe('03:04:05.678 INFO  GET / 200 1 ms\n');
    expect(prettyLine(JSON.stringify({ level: 50, time: 0, msg: 'failed', err: { stack: 'Error: x\n    at y' } }))).toBe('00:00:00.000 ERROR failed\nError: x\n    at y\n');
  });

  test('lineProgress writes at most one line per interval, and always the last', () => {
    let now = 0;
    const out: string[] = [];
    const p = lineProgress('seed', 3000, { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream, () => now);
    for (let done = 0; done <= 100; done += 10) {
      now += 1000;
      p.update('users', done, 100);
    }
    expect(out.length).toBe(4);
    expect(out.at(-1)).toBe('seed: users 100/100 (100%) 11.0 s\n');
  });

  test('seed without a terminal prints progress lines on stderr', async () => {
    const r = await cli(['seed', '--users', '30', '--devices', '5', '--groups', '3', '--schools', '1', '--classes-per-school', '1', '--data-dir', join(work, 'seeded')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^seed: \w+ \d+\/\d+ \(100%\) [\d.]+ s$/m);
    expect(r.stdout).toContain('Added 30 users');
  });

  test('import without a terminal prints progress lines on stderr', async () => {
    const folder = join(work, 'sds');
    writeSdsFixture(folder, SMALL_SDS);
    const r = await cli(['import', 'sds', folder, '--data-dir', join(work, 'imported')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^import: \w+ \d+\/\d+ \(\d+%\) [\d.]+ s$/m);
    expect(r.stdout).toContain('Imported');
  });
});
