// What Tenantbox answers to a scenario's requests, taken once before the load: the bare server replays these
// exact responses (so every ratio is against the same bytes), and the bodies tell how many objects a page lists.
import type { BareRoute } from './bare-server.js';
import { NotAvailable, type Target } from './scenarios.js';

export interface Capture {
  routes: BareRoute[];
  /** Mean response body size over the target's requests, in bytes. */
  bytes: number;
  /** Mean length of the `value` array over the target's requests; undefined when the answers are not collections. */
  objects?: number;
}

export async function capture(base: string, target: Target): Promise<Capture> {
  const seen = new Map<string, BareRoute & { size: number; objects?: number }>();
  for (const r of target.requests) {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    const res = await fetch(base + r.path, { method: r.method, headers: r.headers, body: r.body });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status >= 400) throw new NotAvailable(res.status);
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    let objects: number | undefined;
    if ((headers['content-type'] ?? '').includes('json') && body.length) {
      const parsed = JSON.parse(body.toString('utf8')) as { value?: unknown };
      if (Array.isArray(parsed.value)) objects = parsed.value.length;
    }
    seen.set(key, { method: r.method, path: r.path, status: res.status, headers, body: body.toString('base64'), size: body.length, objects });
  }
  // Means over the requests as autocannon cycles them, repeats included.
  const each = target.requests.map((r) => seen.get(`${r.method} ${r.path}`)!);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const lists = each.every((e) => e.objects !== undefined);
  return {
    routes: [...seen.values()].map(({ size: _s, objects: _o, ...route }) => route),
    bytes: mean(each.map((e) => e.size)),
    objects: lists ? mean(each.map((e) => e.objects!)) : undefined,
  };
}
