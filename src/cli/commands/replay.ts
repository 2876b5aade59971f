import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { request } from 'undici';
import { loadConfig } from '../../config/load-config.js';
import { observeFiles } from '../../gateway/observe/observe-paths.js';
import { findRequest, readJsonlFiles, recentRequests } from '../../gateway/observe/trace-reader.js';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import type { CommandContext } from '../run-cli.js';
import { renderTable } from '../table.js';
import { UsageError } from '../usage-error.js';

export interface ReplayOptions {
  readonly config?: string;
  /** A request id, or `latest` (the default). */
  readonly id?: string;
  /** List the newest N requests instead of replaying (`true`: 20). */
  readonly list?: string | boolean;
  /** The gateway (default `NODEX_URL`, else `http://` + `server.listen`). */
  readonly url?: string;
  /** The gateway key (default `NODEX_API_KEY`); the trace never holds one. */
  readonly key?: string;
  /** Also write the request body to this file (0600). */
  readonly savePayload?: string;
}

/** Headers not sent again: transport, credentials (redacted in the trace anyway), the old id. */
const NOT_RESENT = new Set([
  'host',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'accept-encoding',
  'expect',
  'authorization',
  'x-api-key',
  'api-key',
  'cookie',
  'x-provider-key',
  'x-request-id',
]);

function gatewayUrl(options: ReplayOptions, io: CliIo, listen: string): string {
  const explicit = options.url ?? io.env.NODEX_URL;
  if (explicit) return explicit.replace(/\/+$/, '');
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon) || '127.0.0.1';
  const port = listen.slice(colon + 1);
  if (port === '0') throw new UsageError('server.listen has port 0: give the gateway address with --url');
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  return `http://${reachable}:${port}`;
}

function listCount(list: string | boolean): number {
  if (list === true) return 20;
  const count = Number(list);
  if (!Number.isInteger(count))
    throw new UsageError(`--list "${String(list)}": expected a number of requests`);
  return count > 0 ? count : 20;
}

/** The recorded headers worth sending again (protocol versions, betas, session ids). */
function resentHeaders(recorded: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries((recorded ?? {}) as Record<string, unknown>))
    if (typeof value === 'string' && value !== '***' && !NOT_RESENT.has(name)) out[name] = value;
  return out;
}

/**
 * `nodex replay [ID|latest]`: finds a request as the gateway received it in the trace
 * (`server.trace`) and sends it again to a running gateway, streaming the answer to stdout;
 * `--list N` shows the newest requests instead.
 *
 * @example
 * await runReplay({ id: 'latest', url: 'http://127.0.0.1:39001', key: 'nk-…' }, io);
 */
export async function runReplay(options: ReplayOptions, io: CliIo): Promise<ExitCode> {
  const loaded = loadConfig({ path: options.config, env: io.env });
  for (const warning of loaded.warnings) io.stderr.write(`warning: config ${warning}\n`);
  const trace = observeFiles(loaded.config, io.env).trace;
  const lines = await readJsonlFiles(trace.path, trace.maxFiles);
  if (lines.length === 0)
    throw new UsageError(
      `no trace at ${trace.path}${trace.enabled ? '' : ' (server.trace is off: turn it on, see docs/gateway.md)'}`,
    );
  if (options.list !== undefined && options.list !== false) {
    const rows = recentRequests(lines, listCount(options.list)).map((r) => [
      r.request_id,
      r.ts,
      r.path,
      r.model ?? '-',
      r.status === undefined ? '-' : String(r.status),
    ]);
    io.stdout.write(
      rows.length === 0
        ? 'no replayable requests in the trace\n'
        : renderTable(['REQUEST ID', 'TIME', 'ROUTE', 'MODEL', 'STATUS'], rows),
    );
    return EXIT.ok;
  }
  const id = options.id ?? 'latest';
  const found = findRequest(lines, id);
  if (!found)
    throw new UsageError(
      id === 'latest'
        ? `no replayable request in ${trace.path}`
        : `request ${id} is not in ${trace.path} (nodex replay --list shows the recent ones)`,
    );
  if ((found.body as { nodex_truncated?: boolean }).nodex_truncated)
    throw new UsageError(
      `request ${found.request_id} was cut in the trace (server.trace.max_body): cannot replay it`,
    );
  const payload = JSON.stringify(found.body);
  if (options.savePayload) await writeFile(options.savePayload, `${payload}\n`, { mode: 0o600 });
  const base = gatewayUrl(options, io, loaded.config.server.listen);
  const key = options.key ?? io.env.NODEX_API_KEY;
  const answer = await request(`${base}${String(found.path)}`, {
    method: 'POST',
    headers: {
      ...resentHeaders(found.headers),
      'content-type': 'application/json',
      'x-nodex-replay-of': String(found.request_id),
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: payload,
    ...(io.signal ? { signal: io.signal } : {}),
  }).catch((error: unknown) => {
    io.stderr.write(
      `error: cannot reach ${base}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return undefined;
  });
  if (!answer) return EXIT.failure;
  const ok = answer.statusCode >= 200 && answer.statusCode < 300;
  const out = ok ? io.stdout : io.stderr;
  for await (const chunk of answer.body) out.write(String(chunk));
  const newId = answer.headers['x-request-id'];
  io.stderr.write(
    ok
      ? `replayed ${String(found.request_id)} as ${String(newId)}\n`
      : `\nerror: the gateway answered ${answer.statusCode}${answer.statusCode === 401 ? ' (give the key with --key or NODEX_API_KEY)' : ''}\n`,
  );
  return ok ? EXIT.ok : EXIT.failure;
}

/**
 * Registers `nodex replay`.
 *
 * @example
 * registerReplay(program, context);
 */
export function registerReplay(program: Command, context: CommandContext): void {
  program
    .command('replay')
    .description('send a traced request again to a running gateway (needs server.trace), or list them')
    .argument('[id]', 'a request id, or latest', 'latest')
    .option('--list [n]', 'list the newest N requests (default 20) instead of replaying')
    .option('--url <url>', 'the gateway (default $NODEX_URL, else http://<server.listen>)')
    .option('--key <key>', 'the gateway key (default $NODEX_API_KEY)')
    .option('--save-payload <file>', 'also write the request body to this file (0600)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<ReplayOptions>();
      context.setExitCode(await runReplay({ ...options, id }, context.io));
    });
}
