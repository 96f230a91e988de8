// Assembles Tenantbox: one store, one directory core, the faces (OAuth, Graph, Adaxes, admin) served on HTTP and HTTPS.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { storeLocation, type Config } from './config.js';
import { openStore, type Store } from './store/open.js';
import { Directory } from './directory/directory.js';
import { seedDemoTenant } from './directory/demo-tenant.js';
import { DEMO_TENANT } from './directory/demo-data.js';
import { GraphRouter } from './graph/router.js';
import { graphPlugin } from './graph/plugin.js';
import { registerGraphRoutes } from './graph/routes.js';
import { adminRoutes } from './admin/routes.js';
import { AccessRules } from './admin/access.js';
import { frameworkErrors, rootErrorHandler } from './face-errors.js';
import { checkParsedInput, checkRequestTarget, strictJson } from './request-checks.js';
import { adaxesPlugin } from './adaxes/plugin.js';
import { routeNotFound } from './adaxes/errors.js';
import { sendGraphError, stampIds } from './graph/wire.js';
import { GraphError } from './graph/errors.js';
import { registerOAuth } from './auth/oauth-routes.js';
import { createAuthenticator } from './auth/authenticate.js';
import { checkAccess } from './auth/permissions.js';
import { loadTls } from './auth/tls.js';
import { lazyChildLogger } from './lazy-logger.js';
import { hmacKey } from './auth/keys.js';
import { Throttle } from './graph/throttle.js';
import { DEFAULT_BODY_BYTES, MAX_HEADER_BYTES, MAX_URL_BYTES, REQUEST_TIMEOUT_MS, clientErrorHandler, limitUrlLength } from './graph/limits.js';

export interface Tenantbox {
  store: Store;
  dir: Directory;
  http: FastifyInstance;
  https: FastifyInstance;
  httpUrl: string;
  httpsUrl: string;
  close(): Promise<void>;
}


/** Paths whose query strings may carry secrets; logs show only the path. */
const redactUrl = (url: string) => url.split('?')[0];

export interface StartOptions {
  /** PostgreSQL schema to use (tests and side-by-side servers on one database). */
  pgSchema?: string;
  /** Use the machine-wide certificate (the one `tenantbox cert` prints without --data-dir) instead of the data dir's. */
  sharedTls?: boolean;
}

export async function startTenantbox(config: Config, opts: StartOptions = {}): Promise<Tenantbox> {
  const store = await openStore({ location: storeLocation(config), pgSchema: opts.pgSchema });
  const dir = new Directory(store, DEMO_TENANT);
  // Nodes starting together on one database seed it once: the others wait, then find the demo tenant there.
  if (config.seed) await store.exclusive(() => seedDemoTenant(dir));
  const signingSecret = await hmacKey(store);
  const authenticator = createAuthenticator({ store, tenant: DEMO_TENANT });

  const router = new GraphRouter({
    authenticate: (h) => authenticator.authenticate(h),
    checkAccess: (p, m, path) => checkAccess(p, m, path),
  });
  registerGraphRoutes(router, { dir, signingSecret });
  // Budgets are charged only to verified callers, so a forged token cannot spend another app's budget.
  const throttle = config.throttle
    ? new Throttle({
        identify: (h) => authenticator.authenticate(h).then((p) => ({ appId: p.clientId, tenantId: p.tenantId }), () => undefined),
        userCount: () => dir.db.selectFrom('objects').select((eb) => eb.fn.countAll().as('n')).where('type', '=', 'user').executeTakeFirstOrThrow().then((r) => Number(r.n)),
      })
    : undefined;

  const access = new AccessRules({ adminKey: config.adminKey, host: config.host, allowedHosts: config.allowedHosts });
  const build = async (https?: { key: string; cert: string }) => {
    const app = Fastify({
      https: https ? { ...https, maxHeaderSize: MAX_HEADER_BYTES } : null,
      http: { maxHeaderSize: MAX_HEADER_BYTES },
      bodyLimit: DEFAULT_BODY_BYTES,
      requestTimeout: REQUEST_TIMEOUT_MS,
      clientErrorHandler,
      logger: {
        level: config.logLevel,
        serializers: {
          req: (req: { method: string; url: string; ip: string }) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
        },
        redact: ['req.headers.authorization', 'req.headers["adm-authorization"]'],
      },
      // Per-request lines only when debugging; errors are always logged.
      logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
      childLoggerFactory: lazyChildLogger,
      trustProxy: false,
      routerOptions: { maxParamLength: MAX_URL_BYTES },
      frameworkErrors,
    } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
    app.addHook('onRequest', limitUrlLength);
    app.addHook('onRequest', checkRequestTarget);
    app.addHook('onRequest', access.hook);
    app.addHook('preValidation', checkParsedInput);
    app.setErrorHandler(rootErrorHandler);
    strictJson(app);
    app.setNotFoundHandler((req, reply) => {
      const path = req.url.split('?')[0];
      if (path === '/api' || path.startsWith('/api/')) {
        const e = routeNotFound(path);
        return reply.code(e.status).send(e.body());
      }
      stampIds(req, reply);
      return sendGraphError(reply, new GraphError(404, 'BadRequest', `Resource not found for the segment '${path.split('/')[1] ?? ''}'.`));
    });
    await app.register(adminRoutes, { dir, enabled: config.admin });
    await app.register(async (scope) => registerOAuth(scope, { store, tenant: DEMO_TENANT }));
    await app.register(graphPlugin, { router, throttle, faults: config.faults });
    await app.register(adaxesPlugin, { dir, config });
    return app;
  };

  const tls = await loadTls(config.inMemory || opts.sharedTls ? undefined : config.dataDir);
  const http = await build();
  const https = await build(tls);
  try {
    await http.listen({ port: config.port, host: config.host });
    await https.listen({ port: config.httpsPort, host: config.host });
  } catch (err) {
    await http.close();
    await https.close();
    await store.close();
    throw err;
  }
  const urlOf = (app: FastifyInstance, scheme: string) => {
    const addr = app.server.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host === '127.0.0.1' ? 'localhost' : config.host;
    return `${scheme}://${host}:${addr.port}`;
  };
  return {
    store,
    dir,
    http,
    https,
    httpUrl: urlOf(http, 'http'),
    httpsUrl: urlOf(https, 'https'),
    async close() {
      await http.close();
      await https.close();
      await store.close();
    },
  };
}
