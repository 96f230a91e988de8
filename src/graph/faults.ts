// Opt-in fault injection for the Graph face (--faults), so that clients can prove their retry logic against the
// failures Graph really produces: 503 serviceNotAvailable and 429 TooManyRequests with Retry-After, 500
// generalException, and slow answers.
import { GraphError } from './errors.js';

export type FaultStatus = 429 | 500 | 503;

export interface FaultSpec {
  /** Share of Graph requests affected, 0..1. */
  rate: number;
  /** Delay added to each affected request, in milliseconds. */
  latencyMs: number;
  /** Status each affected request fails with; undefined when affected requests are only slowed. */
  status: FaultStatus | undefined;
  /** Retry-After sent with 429 and 503, in seconds. */
  retryAfter: number;
}

const STATUSES: readonly number[] = [429, 500, 503];
const KEYS = ['rate', 'latency', 'status', 'retryAfter'];
const SYNTAX = "expected comma-separated key=value pairs from rate=<0..1>, latency=<ms>, status=<429|500|503>, retryAfter=<seconds>, e.g. 'rate=0.1,latency=200,status=503'";

/** Parses `rate=0.1,latency=200,status=503`; 'off' or 'none' turn faults off. Throws naming what is wrong. */
export function parseFaults(text: string): FaultSpec | undefined {
  const trimmed = text.trim();
  if (/^(off|none|false|0)$/i.test(trimmed)) return undefined;
  const spec: FaultSpec = { rate: 1, latencyMs: 0, status: undefined, retryAfter: 1 };
  const seen = new Set<string>();
  for (const part of trimmed.split(',')) {
    const m = /^\s*(\w+)\s*=\s*([^\s,]+)\s*$/.exec(part);
    if (!m) throw new Error(`'${text}' is not a fault spec: ${SYNTAX}.`);
    const key = KEYS.find((k) => k.toLowerCase() === m[1].toLowerCase());
    if (!key) throw new Error(`unknown fault key '${m[1]}': ${SYNTAX}.`);
    if (seen.has(key)) throw new Error(`fault key '${key}' is given twice.`);
    seen.add(key);
    const n = Number(m[2]);
    if (key === 'rate') {
      if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`rate must be a number from 0 to 1, got '${m[2]}'.`);
      spec.rate = n;
    } else if (key === 'latency') {
      if (!Number.isInteger(n) || n < 0 || n > 600_000) throw new Error(`latency must be whole milliseconds from 0 to 600000, got '${m[2]}'.`);
      spec.latencyMs = n;
    } else if (key === 'status') {
      if (!STATUSES.includes(n)) throw new Error(`status must be 429, 500 or 503, got '${m[2]}'.`);
      spec.status = n as FaultStatus;
    } else {
      if (!Number.isInteger(n) || n < 0 || n > 3600) throw new Error(`retryAfter must be whole seconds from 0 to 3600, got '${m[2]}'.`);
      spec.retryAfter = n;
    }
  }
  if (spec.status === undefined && spec.latencyMs === 0) throw new Error(`'${text}' injects nothing: give a status, a latency or both.`);
  return spec;
}

/** A failure we made on purpose: answered like any Graph error but not logged as a server fault. */
export class InjectedFault extends GraphError {}

/** The error Graph answers with for each injectable status. */
export function faultError(spec: FaultSpec): GraphError | undefined {
  const retry = { 'Retry-After': String(spec.retryAfter) };
  switch (spec.status) {
    case 503:
      return new InjectedFault(503, 'serviceNotAvailable', 'The service is temporarily unavailable. Please retry later.', retry);
    case 429:
      return new InjectedFault(429, 'TooManyRequests', 'Please retry again later.', retry);
    case 500:
      return new InjectedFault(500, 'generalException', 'An unexpected error occurred while processing the request.');
    default:
      return undefined;
  }
}

/** Applies the spec to one request: waits, then throws the configured error when this request is picked. */
export async function injectFault(spec: FaultSpec, random: () => number = Math.random): Promise<void> {
  if (spec.rate <= 0 || random() >= spec.rate) return;
  if (spec.latencyMs > 0) await new Promise((r) => setTimeout(r, spec.latencyMs));
  const err = faultError(spec);
  if (err) throw err;
}
