// Input no face can serve, refused at the door in the shape of the face that was asked: URLs whose percent-encoding
// does not decode to UTF-8, JSON bodies that are not UTF-8 or nest deeper than anything the APIs take, and NUL
// characters anywhere (PostgreSQL cannot store or compare them in text, and no directory value contains one).
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AdaxesError } from './adaxes/errors.js';
import { GraphError } from './graph/errors.js';
import { faceOf, sendAs } from './face-errors.js';

/** Deepest JSON nesting accepted (objects and arrays); Graph's own bodies need a handful of levels. */
export const MAX_JSON_DEPTH = 64;

const invalidJson = (message: string) => Object.assign(new Error(message), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 });

/** Nesting depth of a JSON text, counted outside strings; stops early once over `limit`. */
export function jsonDepthExceeds(buf: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

// JSON text cannot hold a raw NUL (control characters must be escaped), so a body without this escape parses to
// values without one, and checkParsedInput need not walk them.
const NUL_ESCAPE = Buffer.from('\\u0000');
const nulFreeBodies = new WeakSet<FastifyRequest>();

/** Replaces fastify's JSON parser with one that checks encoding and depth first, then parses as fastify does. */
export function strictJson(app: FastifyInstance) {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const buf = body as Buffer;
    if (!isUtf8(buf)) return done(invalidJson('The request body is not valid UTF-8.'), undefined);
    if (jsonDepthExceeds(buf, MAX_JSON_DEPTH)) return done(invalidJson(`The request body nests JSON deeper than ${MAX_JSON_DEPTH} levels.`), undefined);
    if (!buf.includes(NUL_ESCAPE)) nulFreeBodies.add(req);
    parse(req, buf.toString('utf8'), done);
  });
}

function hasNul(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes('\0');
  if (typeof v !== 'object' || v === null || depth > MAX_JSON_DEPTH + 1) return false;
  for (const k in v as Record<string, unknown>) if (k.includes('\0') || hasNul((v as Record<string, unknown>)[k], depth + 1)) return true;
  return false;
}

function refuse(req: FastifyRequest, reply: FastifyReply, message: string) {
  const face = faceOf(req.url);
  return sendAs(face, req, reply, face === 'adaxes' ? new AdaxesError(400, message, 'badRequest') : new GraphError(400, 'BadRequest', message));
}

/** Each %XX run must decode, as UTF-8, to something without NUL; checked once per request on the raw target. */
function urlProblem(url: string): string | undefined {
  if (url.includes('\0')) return 'The request URI contains a NUL character.';
  if (!url.includes('%')) return undefined;
  const q = url.indexOf('?');
  const parts = [q < 0 ? url : url.slice(0, q), ...(q < 0 ? [] : url.slice(q + 1).split('&'))];
  for (const part of parts) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return 'The request URI is not valid: its percent-encoding is malformed or not UTF-8.';
    }
    if (decoded.includes('\0')) return 'The request URI contains a NUL character.';
  }
  return undefined;
}

/** Root onRequest hook (callback style). */
export function checkRequestTarget(req: FastifyRequest, reply: FastifyReply, done: () => void) {
  const problem = urlProblem(req.url);
  if (!problem) return done();
  refuse(req, reply, problem);
}

/** Root preValidation hook: NUL in parsed bodies (JSON and forms), query values and path parameters. */
export function checkParsedInput(req: FastifyRequest, reply: FastifyReply, done: () => void) {
  // Form bodies some routes read themselves arrive as text: their NUL is still percent-encoded.
  const formNul = typeof req.body === 'string' && /%00/.test(req.body) && String(req.headers['content-type'] ?? '').includes('urlencoded');
  if (formNul || (!nulFreeBodies.has(req) && hasNul(req.body)) || hasNul(req.query) || hasNul(req.params)) return void refuse(req, reply, 'The request contains a NUL character, which is not allowed.');
  done();
}
