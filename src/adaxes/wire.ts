// Request and reply details shared by the /api routes: case-insensitive query parameters, body validation in
// ModelState form, .NET-style UTC timestamps.
import type { FastifyRequest } from 'fastify';
import { AdaxesError, type ModelState, invalidModel } from './errors.js';

/** A query parameter by name, ignoring case (Adaxes samples send both directoryObject and directoryobject). */
export function queryParam(req: FastifyRequest, name: string): string | undefined {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(q)) {
    if (k.toLowerCase() !== want) continue;
    const first = Array.isArray(v) ? v[0] : v;
    return first === undefined || first === null ? undefined : String(first);
  }
  return undefined;
}

export function requireQuery(req: FastifyRequest, name: string): string {
  const v = queryParam(req, name);
  if (v === undefined || v.trim() === '') throw invalidModel({ [name]: [`The ${name} parameter is required.`] });
  return v;
}

export function boolParam(req: FastifyRequest, name: string): boolean {
  const v = queryParam(req, name);
  if (v === undefined || v === '') return false;
  if (/^(true|1)$/i.test(v)) return true;
  if (/^(false|0)$/i.test(v)) return false;
  throw invalidModel({ [name]: [`The value '${v}' is not valid for ${name}.`] });
}

export function intParam(req: FastifyRequest, name: string): number | undefined {
  const v = queryParam(req, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw invalidModel({ [name]: [`The value '${v}' is not valid for ${name}.`] });
  return n;
}

type FieldKind = 'string' | 'boolean' | 'array' | 'object' | 'number';
type FieldSpec = Record<string, { kind: FieldKind; required?: boolean }>;

const kindOf = (v: unknown): FieldKind | 'null' => (v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as FieldKind));

/** The JSON body as an object, checked field by field; every problem is reported at once, as ModelState does. */
export function jsonBody<T = Record<string, unknown>>(req: FastifyRequest, spec: FieldSpec): T {
  const body = req.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidModel({ request: ['The request body must be a JSON object.'] });
  const b = body as Record<string, unknown>;
  const errors: ModelState = {};
  for (const [name, s] of Object.entries(spec)) {
    const v = b[name];
    if (v === undefined || v === null || (s.kind === 'string' && v === '')) {
      if (s.required) errors[name] = [`The ${name} field is required.`];
      continue;
    }
    if (kindOf(v) !== s.kind) errors[name] = [`The value of ${name} must be of type ${s.kind}.`];
  }
  if (Object.keys(errors).length) throw invalidModel(errors);
  return b as T;
}

/** .NET's round-trip UTC format with seven fractional digits, as Adaxes prints expiresAtUtc. */
export function dotnetUtc(iso: string): string {
  return new Date(iso).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/**
 * Runs several validations and reports all their ModelState errors together, as ASP.NET does for one request.
 * A step that fails leaves undefined in its slot; the merged error is thrown before any slot is used.
 */
export function validated<T extends readonly unknown[]>(...steps: { [K in keyof T]: () => T[K] }): T {
  const errors: ModelState = {};
  const out = steps.map((step) => {
    try {
      return step();
    } catch (err) {
      const state = err instanceof AdaxesError ? (err.extra.modelState as ModelState | undefined) : undefined;
      if (!state) throw err;
      Object.assign(errors, state);
      return undefined;
    }
  });
  if (Object.keys(errors).length) throw invalidModel(errors);
  return out as unknown as T;
}
