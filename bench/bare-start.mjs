// The start-up yardstick: plain JavaScript run by node the way bin/tenantbox.js is. `--version` prints the
// package's version; `--port <n>` serves /health on node:http, the least any server in this process model does.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const args = process.argv.slice(2);
if (args[0] === '--version') {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  const port = Number(args[args.indexOf('--port') + 1]);
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  server.listen(port, '127.0.0.1');
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}
