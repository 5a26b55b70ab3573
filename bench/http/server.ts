/**
 * One benchmark target, run in its own process so the load generator does not
 * share its CPU: `node bench/http/server.ts nuages|node|fastify`. Listens on a
 * free loopback port, prints `READY <port> <json-details>`, serves until killed.
 *
 * Every target answers GET /hello/ with the same JSON body.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const kind = process.argv[2];
const HELLO = { message: 'Hello, World!' };

// Django's startproject MIDDLEWARE, in its order, as Nuages modules; the ones that
// do not exist yet are left out and reported, so the figure says what it measured.
const DJANGO_DEFAULT_STACK = [
  'nuages/middleware/security#SecurityMiddleware',
  'nuages/contrib/sessions/middleware#SessionMiddleware',
  'nuages/middleware/common#CommonMiddleware',
  'nuages/middleware/csrf#CsrfViewMiddleware',
  'nuages/contrib/auth/middleware#AuthenticationMiddleware',
  'nuages/contrib/messages/middleware#MessageMiddleware',
  'nuages/middleware/clickjacking#XFrameOptionsMiddleware',
];

async function available(spec: string): Promise<boolean> {
  const [module, name] = spec.split('#') as [string, string];
  try {
    return typeof (await import(module))[name] === 'function';
  } catch {
    return false;
  }
}

async function nuages(): Promise<{ port: number; middleware: string[] }> {
  const { configure } = await import('../../src/conf/index.ts');
  const { NuagesServer, createNodeApp } = await import('../../src/core/servers/index.ts');
  const middleware: string[] = [];
  for (const spec of DJANGO_DEFAULT_STACK) if (await available(spec)) middleware.push(spec);
  configure({
    DEBUG: false,
    SECRET_KEY: 'bench-http-not-secret',
    ALLOWED_HOSTS: ['127.0.0.1'],
    BASE_DIR: import.meta.dirname,
    ROOT_URLCONF: 'urls',
    MIDDLEWARE: middleware,
  });
  const server = new NuagesServer({ app: await createNodeApp(), host: '127.0.0.1', port: 0 });
  const { port } = await server.listen();
  return { port, middleware };
}

function node(): Promise<{ port: number }> {
  const body = JSON.stringify(HELLO);
  const server = createServer((req, res) => {
    if (req.url === '/hello/') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port })));
}

async function fastify(): Promise<{ port: number }> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.get('/hello/', async () => HELLO);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { port: (app.server.address() as AddressInfo).port };
}

const targets: Record<string, () => Promise<{ port: number }>> = { nuages, node, fastify };
const start = kind === undefined ? undefined : targets[kind];
if (start === undefined) {
  console.error(`Usage: node bench/http/server.ts ${Object.keys(targets).join('|')}`);
  process.exit(2);
}
const { port, ...details } = await start();
console.log(`READY ${port} ${JSON.stringify(details)}`);
