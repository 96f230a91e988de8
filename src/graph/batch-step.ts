// How a request replayed in-process by $batch is told apart from one off the wire, and where its links must point.
// The marker's value is random per process and never leaves it, so a client cannot forge a step.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export const BATCH_STEP_HEADER = 'x-tenantbox-batch-step';
const SECRET = randomBytes(24).toString('hex');

/** Headers a step carries: the marker and the outer request's scheme (the Host header is copied as is). */
export function batchStepHeaders(outer: FastifyRequest): Record<string, string> {
  return { [BATCH_STEP_HEADER]: `${SECRET} ${requestOrigin(outer).split(':')[0]}` };
}

function stepScheme(req: FastifyRequest): string | undefined {
  const v = req.headers[BATCH_STEP_HEADER];
  if (typeof v !== 'string') return undefined;
  const [secret, scheme] = v.split(' ');
  if (secret.length !== SECRET.length || !timingSafeEqual(Buffer.from(secret), Buffer.from(SECRET))) return undefined;
  return scheme === 'https' ? 'https' : 'http';
}

export const isBatchStep = (req: FastifyRequest) => stepScheme(req) !== undefined;

/** scheme://host[:port] the client used; a batch step answers with its outer request's. */
export function requestOrigin(req: FastifyRequest): string {
  return `${stepScheme(req) ?? req.protocol}://${req.headers.host ?? req.hostname}`;
}
