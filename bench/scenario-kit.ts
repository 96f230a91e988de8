// What every scenario builds on: the request targets autocannon replays, the context a scenario prepares them
// in, and the small fetch helpers. A route that answers 400 or above is not built yet: the scenario reports n/a.
import type { Samples } from './tenant-server.js';

export interface Target {
  /** Requests autocannon cycles through (one connection walks them in order). */
  requests: { method: string; path: string; headers?: Record<string, string>; body?: string }[];
}

export interface Ctx {
  base: string;
  samples: Samples;
  graphToken: string;
  /** Asks the server process to make `count` changes (one transaction each). */
  touch(count: number): Promise<void>;
}

export class NotAvailable extends Error {
  constructor(readonly status: number) {
    super(`n/a (${status})`);
  }
}

/** Which goal of the performance issue a scenario measures: keyed reads, list pages, or the membership and Adaxes reads. */
export type GoalKind = 'keyed' | 'list' | 'membership';

export interface Scenario {
  name: string;
  goal?: GoalKind;
  /** Part of the mixed-read load that measures how throughput grows with cores. */
  mixed?: boolean;
  prepare(ctx: Ctx): Promise<Target>;
}

export async function probe(ctx: Ctx, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(ctx.base + path, { method: init.method ?? 'GET', headers: { authorization: `Bearer ${ctx.graphToken}`, ...init.headers }, body: init.body });
  const text = await res.text();
  if (res.status >= 400) throw new NotAvailable(res.status);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export const get = (ctx: Ctx, path: string): Target => ({ requests: [{ method: 'GET', path, headers: { authorization: `Bearer ${ctx.graphToken}` } }] });

export const pathOf = (link: string) => {
  const u = new URL(link);
  return u.pathname + u.search;
};

/** The first `pages` pages of a collection, following @odata.nextLink: a walk autocannon replays. */
export async function walk(ctx: Ctx, first: string, pages: number): Promise<Target> {
  const paths = [first];
  let body = await probe(ctx, first);
  while (paths.length < pages && typeof body['@odata.nextLink'] === 'string') {
    const next = pathOf(body['@odata.nextLink']);
    paths.push(next);
    body = await probe(ctx, next);
  }
  return { requests: paths.map((path) => ({ method: 'GET', path, headers: { authorization: `Bearer ${ctx.graphToken}` } })) };
}

export const need = <T>(v: T | undefined): T => {
  if (v === undefined) throw new NotAvailable(0);
  return v;
};
