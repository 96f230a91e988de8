// One line per request at the info level: method, path with query (secrets masked), status, time, and who called;
// refusals (401/403) also carry the reason the client was given.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Query parameters whose values are credentials; their values never reach a log. */
const SECRET_PARAMS = new Set(['client_secret', 'password', 'code', 'refresh_token', 'access_token', 'assertion', 'client_assertion', 'id_token_hint', 'token', 'sig', 'key', 'api_key']);

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      /* a malformed name is shown as sent */
    }
    return eq >= 0 && SECRET_PARAMS.has(decoded.toLowerCase()) ? `${name}=***` : pair;
  });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

interface Caller {
  app?: string;
  user?: string;
}

/** Who a bearer token names, read without verification: for the log line only, never for a decision. */
export function callerOf(authorization: string | undefined): Caller {
  if (!authorization || !/^bearer /i.test(authorization)) return {};
  const payload = authorization.slice(7).trim().split('.')[1];
  if (!payload) return {};
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const app = typeof claims.app_displayname === 'string' ? claims.app_displayname : typeof claims.appid === 'string' ? claims.appid : undefined;
    const user = typeof claims.upn === 'string' ? claims.upn : typeof claims.preferred_username === 'string' ? claims.preferred_username : undefined;
    return { ...(app ? { app } : {}), ...(user ? { user } : {}) };
  } catch {
    return {};
  }
}

/** The message a refusal's body gives, in any of the faces' shapes (Graph, OAuth, Adaxes). */
export function refusalReason(payload: unknown): string | undefined {
  if (typeof payload !== 'string' || payload.length === 0 || payload.length > 16_384) return undefined;
  try {
    const body = JSON.parse(payload) as { error?: { code?: string; message?: string } | string; error_description?: string; message?: string };
    if (typeof body.error === 'object' && body.error) return [body.error.code, body.error.message].filter(Boolean).join(': ');
    if (typeof body.error_description === 'string') return `${typeof body.error === 'string' ? `${body.error}: ` : ''}${body.error_description.split('\r\n')[0]}`;
    if (typeof body.message === 'string') return body.message;
  } catch {
    /* not JSON: no reason to show */
  }
  return undefined;
}

const REASON = Symbol('refusalReason');
const DETAIL = Symbol('refusalDetail');
type WithReason = FastifyReply & { [REASON]?: string; [DETAIL]?: string };

const LOG_DETAIL = Symbol('logDetail');
/** Adds to an error what the log line should say beyond the message the client gets (e.g. the permissions a route accepts). */
export function withLogDetail<E extends Error>(err: E, detail: string): E {
  (err as E & { [LOG_DETAIL]?: string })[LOG_DETAIL] = detail;
  return err;
}

export function registerRequestLog(app: FastifyInstance) {
  const log = app.log as FastifyInstance['log'] & { isLevelEnabled?: (level: string) => boolean };
  const enabled = () => (log.isLevelEnabled ? log.isLevelEnabled('info') : log.level !== 'silent');
  // Below info (warn, error, silent) no request is logged, so the hooks are not added and cost nothing.
  if (!enabled()) return;
  app.addHook('onError', (_req: FastifyRequest, reply: FastifyReply, err: Error & { [LOG_DETAIL]?: string }, done: () => void) => {
    if (err[LOG_DETAIL]) (reply as WithReason)[DETAIL] = err[LOG_DETAIL];
    done();
  });
  app.addHook('onSend', (_req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, p: unknown) => void) => {
    if ((reply.statusCode === 401 || reply.statusCode === 403) && enabled()) {
      const detail = (reply as WithReason)[DETAIL];
      (reply as WithReason)[REASON] = [refusalReason(payload), detail].filter(Boolean).join('; ') || undefined;
    }
    done(null, payload);
  });
  app.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (!enabled()) return done();
    const url = redactUrl(req.url);
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    const caller = callerOf(req.headers.authorization);
    const reason = (reply as WithReason)[REASON];
    const who = caller.user ? `${caller.user} via ${caller.app ?? 'unknown app'}` : caller.app;
    const msg = `${req.method} ${url} ${reply.statusCode} ${ms} ms${who ? ` ${who}` : ''}${reason ? ` (${reason})` : ''}`;
    log.info({ reqId: req.id, method: req.method, url, status: reply.statusCode, ms, ...caller, ...(reason ? { reason } : {}) }, msg);
    done();
  });
}
