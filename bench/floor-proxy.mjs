#!/usr/bin/env node
// The thin pass-through floor: fastify + undici and nothing else (no auth, no parsing, no logging).
// Every POST is forwarded byte for byte to the same path on the upstream, and the upstream's body is
// streamed back. The undici Agent has nodex's settings (src/providers/http/upstream-agent.ts), so
// the floor and nodex share the same connection cap per upstream origin.
//
// `node bench/floor-proxy.mjs --upstream http://127.0.0.1:PORT [--port 0]` prints
// `listening on http://127.0.0.1:PORT` once it accepts connections.
import { fastify } from 'fastify';
import { Agent, request } from 'undici';

function arg(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
}

const upstream = arg('upstream');
if (!upstream) {
  process.stderr.write('usage: floor-proxy.mjs --upstream URL [--port N]\n');
  process.exit(2);
}
const agent = new Agent({
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 600_000,
  connections: 256,
  pipelining: 1,
});
const FORWARD = [
  'content-type',
  'authorization',
  'x-api-key',
  'anthropic-version',
  'anthropic-beta',
  'accept',
];
const BACK = ['content-type', 'cache-control'];

const app = fastify({ logger: false, bodyLimit: 10 * 1024 * 1024, keepAliveTimeout: 120_000 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
app.post('/*', async (req, reply) => {
  const headers = {};
  for (const name of FORWARD) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const upstreamResponse = await request(upstream + req.url, {
    method: 'POST',
    headers,
    body: req.body,
    dispatcher: agent,
  });
  reply.code(upstreamResponse.statusCode);
  for (const name of BACK) {
    const value = upstreamResponse.headers[name];
    if (typeof value === 'string') reply.header(name, value);
  }
  return reply.send(upstreamResponse.body);
});

const address = await app.listen({ host: '127.0.0.1', port: Number(arg('port', '0')) });
process.stdout.write(`listening on ${address}\n`);
const stop = () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
