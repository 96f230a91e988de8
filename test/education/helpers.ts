// Shared pieces of the education tests: the seed page's methods, the Graph SDK with a delegated token, and
// demo roster ids found through the API.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@microsoft/microsoft-graph-client';
import { graphFetch, type TestServer } from '../support/server.js';

const SEEDS = join(import.meta.dirname, '../../reference/seeds');

/** The GET paths of the EduRoster.Read.All seed page, as written there. */
export function rosterSeedPaths(): string[] {
  const file = readdirSync(SEEDS).find((f) => f.startsWith('003_'))!;
  return [...readFileSync(join(SEEDS, file), 'utf8').matchAll(/^V1 A GET (\S+)$/gm)].map((m) => m[1]);
}

/** The official Graph SDK over HTTPS with a delegated (user) token. */
export function graphClientWithToken(s: TestServer, token: string): Client {
  return Client.init({ authProvider: (done) => done(null, token), baseUrl: `${s.httpsBase}/v1.0`, defaultVersion: '', customHosts: new Set(['localhost']) });
}

export interface DemoRoster {
  classId: string;
  schoolId: string;
  student: { id: string; upn: string };
  teacher: { id: string; upn: string };
}

export async function demoRoster(s: TestServer): Promise<DemoRoster> {
  const token = await s.appToken('Roster Reader');
  const get = async (p: string) => (await graphFetch(`${s.graph}${p}`, token)).body;
  const cls = (await get('/education/classes?$top=1')).value[0];
  const teacher = (await get(`/education/classes/${cls.id}/teachers`)).value[0];
  const members = (await get(`/education/classes/${cls.id}/members`)).value as { id: string; primaryRole: string; userPrincipalName: string }[];
  const student = members.find((m) => m.primaryRole === 'student')!;
  const school = (await get(`/education/classes/${cls.id}/schools`)).value[0];
  return { classId: cls.id, schoolId: school.id, student: { id: student.id, upn: student.userPrincipalName }, teacher: { id: teacher.id, upn: teacher.userPrincipalName } };
}

/** Follows nextLinks to the end of a collection or a delta round. */
export async function walk(url: string, token: string, headers: Record<string, string> = {}): Promise<{ items: any[]; deltaLink?: string; pages: number }> {
  const items: any[] = [];
  let next: string | undefined = url;
  let pages = 0;
  let deltaLink: string | undefined;
  while (next) {
    const r = await graphFetch(next, token, { headers });
    if (r.status !== 200) throw new Error(`${next}: ${r.status} ${JSON.stringify(r.body)}`);
    pages++;
    items.push(...r.body.value);
    next = r.body['@odata.nextLink'];
    deltaLink = r.body['@odata.deltaLink'];
  }
  return { items, deltaLink, pages };
}
