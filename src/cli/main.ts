// The tenantbox command line: serve (default), credentials, cert, and the data commands.
import { Command, Option } from 'commander';
import { ConfigError, resolveConfig } from '../config.js';
import { serveCommand } from './serve.js';
import { credentialsCommand } from './credentials.js';
import { certCommand } from './cert.js';
import { registerDataCommands } from './data-commands.js';

const program = new Command('tenantbox').description('A Microsoft 365 tenant you can run: Microsoft Graph v1.0 and the Adaxes REST API.');

export const storeOptions = (cmd: Command) =>
  cmd
    .option('--data-dir <dir>', 'data directory (SQLite file, signing key, TLS certificate)')
    .option('--in-memory', 'keep nothing: an in-memory store')
    .option('--database <url>', 'postgres://… to use PostgreSQL (or a .sqlite path)')
    .addOption(new Option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent'));

storeOptions(
  program
    .command('serve', { isDefault: true })
    .description('run the server with the demo tenant')
    .option('--port <port>', 'HTTP port (default 5080)')
    .option('--https-port <port>', 'HTTPS port (default 5443)')
    .option('--host <host>', 'interface to listen on (default 127.0.0.1)')
    .option('--tenant <file>', 'serve this tenant fixture (YAML or JSON) instead of the demo tenant', (f: string, all: string[]) => [...all, f], [] as string[])
    .option('--no-seed', 'do not create the demo tenant')
    .option('--admin-key <key>', 'require X-Admin-Key on /admin/*')
    .option('--no-admin', 'disable /admin/*')
    .option('--adaxes-token-minutes <n>', 'Adaxes token lifetime (default 30)')
    .option('--adaxes-session-minutes <n>', 'Adaxes session lifetime (default 10)')
    .option('--throttle', "enforce Graph's resource-unit throttling (429 TooManyRequests); budgets are per node")
    .option('--faults <spec>', 'inject Graph failures, e.g. rate=0.1,latency=200,status=503 (status 429, 500 or 503; retryAfter=<s>)'),
).action((flags) => serveCommand(flags));

program
  .command('credentials')
  .description("print the demo tenant's credentials")
  .option('--json', 'as JSON')
  .option('--port <port>', 'HTTP port the server uses')
  .option('--https-port <port>', 'HTTPS port the server uses')
  .option('--host <host>', 'host the server uses')
  .action((flags) => credentialsCommand(flags));

program
  .command('cert')
  .description('print the path of the TLS certificate (for NODE_EXTRA_CA_CERTS)')
  .option('--data-dir <dir>', 'data directory')
  .action((flags) => certCommand(flags));

registerDataCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`tenantbox: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`tenantbox: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

export { resolveConfig };
