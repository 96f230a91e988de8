// Configuration: command-line flags win over TENANTBOX_* environment variables, which win over defaults.
// Anything invalid stops start-up with a message naming the key.
import { delimiter, resolve } from 'node:path';
import { parseFaults, type FaultSpec } from './graph/faults.js';
import type { LogFormat } from './log-format.js';

export interface Config {
  port: number;
  httpsPort: number;
  host: string;
  dataDir: string;
  inMemory: boolean;
  database: string | undefined;
  seed: boolean;
  logLevel: string;
  /** 'pretty' or 'json'; undefined picks pretty on a terminal and JSON otherwise. */
  logFormat: LogFormat | undefined;
  adminKey: string | undefined;
  admin: boolean;
  adaxesTokenMinutes: number;
  adaxesSessionMinutes: number;
  /** Graph's resource-unit throttling (429 TooManyRequests); off unless asked for. */
  throttle: boolean;
  /** Injected Graph failures for testing clients' retry logic; undefined when off. */
  faults: FaultSpec | undefined;
  /** Fixture files to serve instead of the demo tenant. */
  tenants: string[];
  /** Host names besides the machine's own that requests may carry (a container's service name, a proxy's name). */
  allowedHosts: string[];
}

export class ConfigError extends Error {}

/** A listening port already taken; the message names the flag and variable that change it. */
export class PortInUseError extends ConfigError {
  constructor(
    readonly port: number,
    readonly key: 'port' | 'httpsPort',
  ) {
    super(`Port ${port} is already in use: choose another with ${FLAG[key]} <port> (or ${ENV[key]}); ${FLAG[key]} 0 picks a free one.`);
  }
}

type Raw = Partial<Record<keyof Config, unknown>>;

const DEFAULTS: Config = {
  port: 5080,
  httpsPort: 5443,
  host: '127.0.0.1',
  dataDir: './.tenantbox',
  inMemory: false,
  database: undefined,
  seed: true,
  logLevel: 'info',
  logFormat: undefined,
  adminKey: undefined,
  admin: true,
  adaxesTokenMinutes: 30,
  adaxesSessionMinutes: 10,
  throttle: false,
  faults: undefined,
  tenants: [],
  allowedHosts: [],
};

const ENV: Record<keyof Config, string> = {
  port: 'TENANTBOX_PORT',
  httpsPort: 'TENANTBOX_HTTPS_PORT',
  host: 'TENANTBOX_HOST',
  dataDir: 'TENANTBOX_DATA_DIR',
  inMemory: 'TENANTBOX_IN_MEMORY',
  database: 'TENANTBOX_DATABASE',
  seed: 'TENANTBOX_SEED',
  logLevel: 'TENANTBOX_LOG_LEVEL',
  logFormat: 'TENANTBOX_LOG_FORMAT',
  adminKey: 'TENANTBOX_ADMIN_KEY',
  admin: 'TENANTBOX_ADMIN',
  adaxesTokenMinutes: 'TENANTBOX_ADAXES_TOKEN_MINUTES',
  adaxesSessionMinutes: 'TENANTBOX_ADAXES_SESSION_MINUTES',
  throttle: 'TENANTBOX_THROTTLE',
  faults: 'TENANTBOX_FAULTS',
  tenants: 'TENANTBOX_TENANT',
  allowedHosts: 'TENANTBOX_ALLOWED_HOSTS',
};

const FLAG: Record<keyof Config, string> = {
  port: '--port',
  httpsPort: '--https-port',
  host: '--host',
  dataDir: '--data-dir',
  inMemory: '--in-memory',
  database: '--database',
  seed: '--no-seed',
  logLevel: '--log-level',
  logFormat: '--log-format',
  adminKey: '--admin-key',
  admin: '--no-admin',
  adaxesTokenMinutes: '--adaxes-token-minutes',
  adaxesSessionMinutes: '--adaxes-session-minutes',
  throttle: '--throttle',
  faults: '--faults',
  tenants: '--tenant',
  allowedHosts: '--allowed-hosts',
};

function port(name: string, v: unknown): number {
  const n = typeof v === 'number' ? v : Number(String(v));
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`Invalid ${name}: '${String(v)}' is not a port number (0-65535).`);
  return n;
}

function minutes(name: string, v: unknown): number {
  const n = typeof v === 'number' ? v : Number(String(v));
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`Invalid ${name}: '${String(v)}' is not a positive number of minutes.`);
  return n;
}

function bool(name: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  const s = String(v).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  throw new ConfigError(`Invalid ${name}: '${String(v)}' is not a boolean (true/false).`);
}

function faultSpec(name: string, v: unknown): FaultSpec | undefined {
  if (typeof v === 'object' && v !== null) return v as FaultSpec;
  try {
    return parseFaults(String(v));
  } catch (err) {
    throw new ConfigError(`Invalid ${name}: ${(err as Error).message}`);
  }
}

function hostList(name: string, v: unknown): string[] {
  const list = (Array.isArray(v) ? v.map(String) : String(v).split(',')).map((h) => h.trim()).filter(Boolean);
  for (const h of list) if (!/^[a-z0-9.\-\[\]:]+$/i.test(h)) throw new ConfigError(`Invalid ${name}: '${h}' is not a host name.`);
  return list;
}

/** Merges flags (already parsed), environment and defaults, validating every value. */
export function resolveConfig(flags: Raw, env: NodeJS.ProcessEnv = process.env): Config {
  const pick = (k: keyof Config): { v: unknown; name: string } | undefined => {
    if (flags[k] !== undefined) return { v: flags[k], name: FLAG[k] };
    if (env[ENV[k]] !== undefined && env[ENV[k]] !== '') return { v: env[ENV[k]], name: ENV[k] };
    return undefined;
  };
  const c: Config = { ...DEFAULTS };
  const p = (k: keyof Config) => pick(k);
  let x;
  if ((x = p('port'))) c.port = port(x.name, x.v);
  if ((x = p('httpsPort'))) c.httpsPort = port(x.name, x.v);
  if ((x = p('host'))) c.host = String(x.v);
  if ((x = p('dataDir'))) c.dataDir = String(x.v);
  if ((x = p('inMemory'))) c.inMemory = bool(x.name, x.v);
  if ((x = p('database'))) {
    c.database = String(x.v);
    if (!/^postgres(ql)?:\/\//.test(c.database) && !c.database.endsWith('.sqlite') && c.database !== ':memory:')
      throw new ConfigError(`Invalid ${x.name}: expected a postgres:// URL or a path ending in .sqlite, got '${c.database}'.`);
  }
  if ((x = p('seed'))) c.seed = bool(x.name, x.v);
  if ((x = p('logLevel'))) {
    c.logLevel = String(x.v);
    if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(c.logLevel))
      throw new ConfigError(`Invalid ${x.name}: '${c.logLevel}' is not a log level (fatal, error, warn, info, debug, trace, silent).`);
  }
  if ((x = p('logFormat'))) {
    const f = String(x.v);
    if (f !== 'pretty' && f !== 'json') throw new ConfigError(`Invalid ${x.name}: '${f}' is not a log format (pretty, json).`);
    c.logFormat = f;
  }
  if ((x = p('adminKey'))) c.adminKey = String(x.v);
  if ((x = p('admin'))) c.admin = bool(x.name, x.v);
  if ((x = p('adaxesTokenMinutes'))) c.adaxesTokenMinutes = minutes(x.name, x.v);
  if ((x = p('adaxesSessionMinutes'))) c.adaxesSessionMinutes = minutes(x.name, x.v);
  if ((x = p('throttle'))) c.throttle = bool(x.name, x.v);
  if ((x = p('faults'))) c.faults = faultSpec(x.name, x.v);
  if ((x = p('tenants'))) c.tenants = (Array.isArray(x.v) ? x.v.map(String) : String(x.v).split(delimiter)).filter((f) => f !== '').map((f) => resolve(f));
  if ((x = p('allowedHosts'))) c.allowedHosts = hostList(x.name, x.v);
  if (c.inMemory && c.database) throw new ConfigError('Invalid --in-memory: cannot be combined with --database.');
  c.dataDir = resolve(c.dataDir);
  return c;
}

/** Where the store lives for this configuration. */
export function storeLocation(c: Config): string {
  if (c.inMemory) return ':memory:';
  return c.database ?? resolve(c.dataDir, 'tenantbox.sqlite');
}
