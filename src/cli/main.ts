// The tenantbox command line: serve (the default), credentials, cert, and the data commands. Each command's code is
// loaded only when it runs, so `credentials` and `cert` never load the server or the store.
import { Command, Option } from 'commander';
import { ConfigError } from '../config.js';
import { packageVersion } from '../version.js';
import { registerDataCommands } from './data-commands.js';
import { checkFolderFlags } from './folders.js';

const program = new Command('tenantbox')
  .description('A Microsoft 365 tenant you can run: Microsoft Graph v1.0 and the Adaxes REST API.')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the server with the demo tenant (the default command)')
  .option('--port <port>', 'HTTP port (default 5080; 0 picks a free one)')
  .option('--https-port <port>', 'HTTPS port (default 5443; 0 picks a free one)')
  .option('--host <host>', 'interface to listen on (default 127.0.0.1)')
  .option('--data-dir <dir>', 'data directory (SQLite file, signing key, TLS certificate, runtime.json)')
  .option('--in-memory', 'keep nothing: an in-memory store')
  .option('--database <url>', 'postgres://… to use PostgreSQL (or a .sqlite path)')
  .addOption(new Option('--log-level <level>', 'fatal, error, warn, info (default: a line per request), debug, trace or silent'))
  .addOption(new Option('--log-format <format>', 'pretty or json (default: pretty on a terminal, json otherwise)'))
  .option('--tenant <file>', 'serve this tenant fixture (YAML or JSON) instead of the demo tenant', (f: string, all: string[]) => [...all, f], [] as string[])
  .option('--no-seed', 'do not create the demo tenant')
  .option('--admin-key <key>', 'require X-Admin-Key on /admin/*')
  .option('--allowed-hosts <names>', 'comma-separated host names this server also answers to (behind a proxy or in a container)')
  .option('--no-admin', 'disable /admin/*')
  .option('--adaxes-token-minutes <n>', 'Adaxes token lifetime (default 30)')
  .option('--adaxes-session-minutes <n>', 'Adaxes session lifetime (default 10)')
  .option('--throttle', "enforce Graph's resource-unit throttling (429 TooManyRequests); budgets are per node")
  .option('--faults <spec>', 'inject Graph failures, e.g. rate=0.1,latency=200,status=503 (status 429, 500 or 503; retryAfter=<s>)')
  .action(async (flags) => (await import('./serve.js')).serveCommand(flags));

const serverFinder = (cmd: Command) =>
  cmd
    .option('--port <port>', 'HTTP port of the running server to ask about')
    .option('--data-dir <dir>', 'data directory of the server');

serverFinder(
  program
    .command('credentials')
    .description("print the demo tenant's credentials and the running server's URLs")
    .option('--json', 'as JSON')
    .option('--env', 'as AZURE_* lines for a shell or an .env file (see --app)')
    .option('--app <name>', "with --env: the app whose client id and secret to print (default 'Tenant Admin')")
    .option('--https-port <port>', 'HTTPS port, when no running server is found')
    .option('--host <host>', 'host, when no running server is found'),
).action(async (flags) => (await import('./credentials.js')).credentialsCommand(flags));

serverFinder(program.command('cert').description('print the path of the TLS certificate the server presents (for NODE_EXTRA_CA_CERTS)'))
  .option('--in-memory', 'the certificate in-memory servers present, whether or not one runs yet')
  .action(async (flags) =>
  (await import('./cert.js')).certCommand(flags),
);

registerDataCommands(program);

const COMMANDS = program.commands.map((c) => c.name());

/** Runs with no command or only options mean `serve`; a word that is no command is refused with the list. */
function argsWithCommand(args: string[]): string[] {
  const first = args[0];
  if (first === undefined || (first.startsWith('-') && !['-h', '--help', '-V', '--version'].includes(first))) return ['serve', ...args];
  if (!first.startsWith('-') && first !== 'help' && !COMMANDS.includes(first)) {
    throw new ConfigError(`unknown command '${first}'. Commands: ${COMMANDS.join(', ')} (tenantbox <command> --help for each).`);
  }
  return args;
}

try {
  const args = argsWithCommand(process.argv.slice(2));
  checkFolderFlags(args);
  await program.parseAsync(args, { from: 'user' });
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`tenantbox: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`tenantbox: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
