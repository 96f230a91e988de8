// Assembles Tenantbox: one store, one directory core, the faces (OAuth, Graph, Adaxes, admin) served on HTTP and HTTPS.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { PortInUseError, storeLocation, type Config } from './config.js';
import { openStore, type Store } from './store/open.js';
import { Directory } from './directory/directory.js';
import { prepareTenant } from './tenants/serve-tenant.js';
import { tenantOfStore } from './tenants/tenant-record.js';
import { GraphRouter } from './graph/router.js';
import { graphPlugin } from './graph/plugin.js';
import { registerGraphRoutes } from './graph/routes.js';
import { ensureIndexCurrent } from './directory/index-version.js';
import { storeReady } from './directory/meta.js';
import { adaxesTenantPath, routeToTenant, tenantStorage } from './tenants/tenant-routing.js';
import { readFixtureFile } from './tenants/fixture-load.js';
import { isDeepStrictEqual } from 'node:util';
import { TenantRegistry } from './tenants/tenant-registry.js';
import { InFlight } from './tenants/in-flight.js';
import { serveTenant } from './tenants/served-tenant.js';
import { tenantRoutes } from './admin/tenant-routes.js';
import { tenantAuthenticator } from './auth/tenant-authenticator.js';
import { TOKEN_MESSAGES, invalidToken } from './auth/tokens.js';
import { adminRoutes } from './admin/routes.js';
import { adaxesConfigurationRoutes } from './admin/adaxes-routes.js';
import { AccessRules } from './admin/access.js';
import { frameworkErrors, rootErrorHandler } from './face-errors.js';
import { checkParsedInput, checkRequestTarget, strictJson } from './request-checks.js';
import { adaxesPlugin } from './adaxes/plugin.js';
import { routeNotFound } from './adaxes/errors.js';
import { sendGraphError, stampIds } from './graph/wire.js';
import { GraphError } from './graph/errors.js';
import { registerOAuth, type OAuthTenants } from './auth/oauth-routes.js';
import { allowedPermissions, checkAccess, heldPermissions, schemeOf } from './auth/permissions.js';
import { authorizeCall } from './auth/role-authorization.js';
import { authorizationLookups } from './directory/authorization-facts.js';
import { certPath, loadTls } from './auth/tls.js';
import { lazyChildLogger } from './lazy-logger.js';
import { redactUrl, registerRequestLog, withLogDetail } from './request-log.js';
import { defaultLogFormat, prettyStream } from './log-format.js';
import { shippedDemoImage } from './tenants/demo-image.js';
import { writeRuntimeFiles, type RuntimeInfo } from './runtime-file.js';
import { Throttle } from './graph/throttle.js';
import { DEFAULT_BODY_BYTES, MAX_HEADER_BYTES, MAX_URL_BYTES, REQUEST_TIMEOUT_MS, clientErrorHandler, limitUrlLength } from './graph/limits.js';

export interface Tenantbox {
  store: Store;
  dir: Directory;
  /** The served tenant and those created at run time. */
  tenants: TenantRegistry;
  http: FastifyInstance;
  https: FastifyInstance;
  httpUrl: string;
  httpsUrl: string;
  /** The PEM file of the certificate the HTTPS listener presents. */
  certPath: string;
  /** What the server serves, as recorded for the CLI. */
  runtime: RuntimeInfo;
  close(): Promise<void>;
}

export interface StartOptions {
  /** PostgreSQL schema to use (tests and side-by-side servers on one database). */
  pgSchema?: string;
  /** Use the machine-wide certificate (the one `tenantbox cert` prints without --data-dir) instead of the data dir's. */
  sharedTls?: boolean;
  /**
   * The bytes of a SQLite database holding the demo tenant, loaded instead of seeding when the store is new
   * (defaults to the image shipped with the build; false seeds object by object).
   */
  image?: Uint8Array | false;
  /** Record the real URLs, ports and certificate for the CLI (in the data dir and under the temp dir); default true. */
  runtimeFile?: boolean;
}

export async function startTenantbox(config: Config, opts: StartOptions = {}): Promise<Tenantbox> {
  // The shipped image holds the demo tenant; a server given a fixture starts from an empty store instead.
  const image = config.seed && !config.tenants.length && opts.image !== false ? (opts.image ?? shippedDemoImage()) : undefined;
  const store = await openStore({ location: storeLocation(config), pgSchema: opts.pgSchema, image });
  // Nodes starting together on one database re-index and seed it once: the others wait, then find it done.
  // Re-indexing comes first, so that a tenant loaded now is indexed once, under the current table.
  const tenant = await store
    .exclusive(async () => {
      await ensureIndexCurrent(new Directory(store, await tenantOfStore(store.db)));
      return prepareTenant(store, { fixtures: config.tenants, seedDemo: config.seed });
    })
    .catch(async (err: unknown) => {
      await store.close();
      throw err;
    });
  const primary = await serveTenant(store, tenant);
  const dir = primary.dir;
  const requests = new InFlight();
  const registry = new TenantRegistry(primary, tenantStorage(config, opts.pgSchema), requests);
  let forgotten: { id: string; location: string }[] = [];
  try {
    forgotten = await registry.restore();
    // Further --tenant files are tenants beside the first, created once: a restart finds them restored.
    for (const file of config.tenants.slice(1)) {
      const { source } = await readFixtureFile(file);
      if (!registry.list().some((e) => isDeepStrictEqual(registry.fixtureOf(e.tenant.info.id), source.data))) await registry.create(source.data, source);
    }
  } catch (err) {
    await registry.close();
    await store.close();
    throw err;
  }
  const servedOf = (tenantId: string) => registry.get(tenantId);
  const authenticator = tenantAuthenticator(servedOf, () => primary.authenticator);

  const router = new GraphRouter({
    authenticate: (h) => authenticator.authenticate(h),
    checkAccess: (p, m, path) => {
      try {
        checkAccess(p, m, path);
      } catch (err) {
        // Graph's 403 names no permission; the log line says which ones the route accepts and which the token holds.
        const accepted = allowedPermissions(m, path, schemeOf(p));
        const held = heldPermissions(p);
        throw withLogDetail(err as Error, `${m} ${path} accepts ${accepted.join(', ') || `no ${schemeOf(p)} permission`}; the token has ${held.join(', ') || 'none'}`);
      }
    },
    kitOf: (p) => {
      const served = servedOf(p.tenantId);
      // A tenant deleted while its token was being checked: the token names a tenant no longer served.
      if (!served) throw invalidToken(TOKEN_MESSAGES.signature);
      return served.kit;
    },
    authorize: (p, call, k) => authorizeCall(p, call, servedOf(p.tenantId)?.lookups ?? authorizationLookups(k.dir)),
  });
  registerGraphRoutes(router);
  // Budgets are charged only to verified callers, so a forged token cannot spend another app's budget.
  const throttle = config.throttle
    ? new Throttle({
        identify: (h) => authenticator.authenticate(h).then((p) => ({ appId: p.clientId, tenantId: p.tenantId }), () => undefined),
        userCount: (tenantId) => {
          const db = (servedOf(tenantId) ?? primary).dir.db;
          return db.selectFrom('objects').select((eb) => eb.fn.countAll().as('n')).where('type', '=', 'user').executeTakeFirstOrThrow().then((r) => Number(r.n));
        },
      })
    : undefined;
  const oauthTenants: OAuthTenants = {
    find: (segment) => registry.find(segment)?.grant,
    primary: () => primary.grant,
    all: () => [...registry.all()].map((t) => t.grant),
  };
  const resetServed = async (d: Directory) => {
    const created = registry.list().find((e) => e.tenant.dir === d);
    return created ? registry.reset(created.tenant.info.id) : registry.resetServed();
  };
  let origins = { httpUrl: '', httpsUrl: '' };

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
        ...((config.logFormat ?? defaultLogFormat()) === 'pretty' ? { stream: prettyStream() } : {}),
        serializers: {
          req: (req: { method: string; url: string; ip: string }) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
        },
        redact: ['req.headers.authorization', 'req.headers["adm-authorization"]'],
      },
      // Fastify's two lines per request give way to registerRequestLog's one.
      logController: new LogController({ disableRequestLogging: true }),
      childLoggerFactory: lazyChildLogger,
      trustProxy: false,
      routerOptions: { maxParamLength: MAX_URL_BYTES },
      rewriteUrl: (raw: import('node:http').IncomingMessage) => routeToTenant(raw, registry),
      frameworkErrors,
    } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
    // Every request addresses the one served tenant (callback style: no promise per request).
    app.addHook('onRequest', requests.hook);
    app.addHook('onRequest', limitUrlLength);
    registerRequestLog(app);
    app.addHook('onRequest', checkRequestTarget);
    app.addHook('onRequest', access.hook);
    app.addHook('preValidation', checkParsedInput);
    app.setErrorHandler(rootErrorHandler);
    strictJson(app);
    app.setNotFoundHandler((req, reply) => {
      const path = req.url.split('?')[0];
      // /{tenant}/api/… of a tenant not served (or a domain two tenants share) is still an Adaxes URL.
      if (path === '/api' || path.startsWith('/api/') || adaxesTenantPath(path)) {
        const e = routeNotFound(path);
        return reply.code(e.status).send(e.body());
      }
      stampIds(req, reply);
      return sendGraphError(reply, new GraphError(404, 'BadRequest', `Resource not found for the segment '${path.split('/')[1] ?? ''}'.`));
    });
    await app.register(adminRoutes, { health: () => storeReady(store), enabled: config.admin, reset: resetServed });
    if (config.admin) await app.register(tenantRoutes, { registry, origins: () => origins });
    await app.register(async (scope) => registerOAuth(scope, oauthTenants));
    await app.register(graphPlugin, { router, throttle, faults: config.faults });
    await app.register(adaxesPlugin, { config });
    await app.register(adaxesConfigurationRoutes, { config });
    return app;
  };

  const tlsDataDir = config.inMemory || opts.sharedTls ? undefined : config.dataDir;
  const tls = await loadTls(tlsDataDir);
  const http = await build();
  const https = await build(tls);
  for (const f of forgotten) http.log.warn({ tenantId: f.id, location: f.location }, `Tenant ${f.id} is no longer served: its store ${f.location} is gone.`);
  try {
    await listen(http, config.port, config.host, 'port');
    await listen(https, config.httpsPort, config.host, 'httpsPort');
  } catch (err) {
    await http.close();
    await https.close();
    await registry.close();
    await store.close();
    throw err;
  }
  const urlOf = (app: FastifyInstance, scheme: string) => {
    const addr = app.server.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host === '127.0.0.1' ? 'localhost' : config.host;
    return `${scheme}://${host}:${addr.port}`;
  };
  const httpUrl = urlOf(http, 'http');
  const httpsUrl = urlOf(https, 'https');
  origins = { httpUrl, httpsUrl };
  const runtime: RuntimeInfo = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    tenantId: tenant.id,
    domain: tenant.domain,
    host: config.host,
    port: (http.server.address() as AddressInfo).port,
    httpsPort: (https.server.address() as AddressInfo).port,
    httpUrl,
    httpsUrl,
    graphUrl: `${httpsUrl}/v1.0`,
    authorityHost: httpsUrl,
    tokenUrl: `${httpsUrl}/${tenant.id}/oauth2/v2.0/token`,
    adaxesUrl: `${httpUrl}/api`,
    certPath: certPath(tlsDataDir),
    // The data dir is named only when this server keeps its certificate there, the files a client must find.
    ...(tlsDataDir ? { dataDir: config.dataDir } : {}),
    store: config.inMemory ? 'memory' : store.engine,
  };
  const forget = opts.runtimeFile === false ? () => {} : writeRuntimeFiles(runtime);
  return {
    store,
    dir,
    tenants: registry,
    http,
    https,
    httpUrl,
    httpsUrl,
    certPath: runtime.certPath,
    runtime,
    async close() {
      forget();
      await http.close();
      await https.close();
      await registry.close();
      await store.close();
    },
  };
}

async function listen(app: FastifyInstance, port: number, host: string, key: 'port' | 'httpsPort') {
  try {
    await app.listen({ port, host });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(port, key);
    throw err;
  }
}
