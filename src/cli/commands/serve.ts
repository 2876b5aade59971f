import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { nodexHome } from '../../config/paths.js';
import { buildProviders } from '../../providers/registry.js';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import type { CommandContext } from '../run-cli.js';
import { UsageError } from '../usage-error.js';
import { nodexVersion } from '../version.js';

interface ServeOptions {
  readonly config?: string;
  readonly listen?: string;
  readonly allowAnyKey?: boolean;
}

/** `HOST:PORT` (IPv6 in brackets) → host and port. */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:]+)\]|([^\s:]*)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65535)
    throw new UsageError(`--listen "${value}": expected HOST:PORT, e.g. 127.0.0.1:39001`);
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Runs the gateway until SIGINT/SIGTERM, then stops gracefully (exit 0). */
export async function runServe(options: ServeOptions, io: CliIo): Promise<ExitCode> {
  if (options.listen) parseListen(options.listen);
  const loaded = loadConfig({
    path: options.config,
    env: io.env,
    overrides: {
      'server.listen': options.listen,
      ...(options.allowAnyKey ? { 'server.allow_any_key': true } : {}),
    },
  });
  const { config } = loaded;
  // The gateway (fastify, stores, metrics) loads only for `serve`: other commands start faster.
  const [{ createGateway }, { adminSocketPath, openGatewayServices }, { createLogger }] = await Promise.all([
    import('../../gateway/create-gateway.js'),
    import('../../gateway/gateway-services.js'),
    import('../../gateway/logger.js'),
  ]);
  const log = createLogger({ level: config.log.level });
  for (const warning of loaded.warnings) log.warn(`config ${warning}`);
  const home = nodexHome(io.env);
  // State first: an unreachable database or Redis stops here, and providers get the refresh lock.
  const services = await openGatewayServices(config, {
    home,
    onError: (error, what) =>
      log.warn({ error: error instanceof Error ? error.message : String(error) }, `${what} failed`),
  });
  const providers = buildProviders(config, {
    env: io.env,
    home,
    configPath: loaded.path,
    onWarning: (message) => log.warn(message),
    ...(services.refreshLock ? { refreshLock: services.refreshLock } : {}),
  });
  for (const skip of providers.skipped)
    log.info({ provider: skip.id }, `provider ${skip.id} not available: ${skip.reason}`);
  const { host, port } = parseListen(config.server.listen);
  if (config.server.allow_any_key) {
    io.stderr.write(
      `WARNING: allow_any_key is on: ANY client${isLoopback(host) ? ' on this machine' : ' that can reach this address'} can use your subscriptions through this gateway. Development only.\n`,
    );
  } else if (config.server.api_keys.length === 0) {
    io.stderr.write(
      'warning: no API keys configured (server.api_keys): every request will get 401; add one, or use --allow-any-key for local development\n',
    );
  }
  const socket = adminSocketPath(config, io.env);
  const adminToken = io.env[config.server.admin_token_env];
  const gateway = createGateway({
    config,
    providers,
    log,
    version: nodexVersion(),
    services,
    ...(socket ? { adminSocket: socket } : {}),
    ...(adminToken ? { adminToken } : {}),
  });
  const url = await gateway.listen(host, port);
  io.stdout.write(`listening on ${url}\n`);
  if (gateway.admin.socketPath)
    log.info({ socket: gateway.admin.socketPath }, 'admin API on the unix socket');
  if (gateway.admin.url) log.info({ url: gateway.admin.url }, 'admin API on TCP (admin token required)');
  await new Promise<void>((resolve) => {
    if (!io.signal) return; // no signal to wait for (tests close the gateway themselves)
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  io.stderr.write(`stopping: finishing in-flight requests (up to ${config.server.shutdown_grace} ms)\n`);
  await gateway.close(config.server.shutdown_grace);
  log.flush();
  return EXIT.ok;
}

export function registerServe(program: Command, context: CommandContext): void {
  program
    .command('serve')
    .alias('proxy')
    .description(
      'run the gateway: OpenAI Responses, Chat Completions and Anthropic Messages over your providers',
    )
    .option(
      '--listen <host:port>',
      'address to listen on (default server.listen, 127.0.0.1:39001; port 0 picks one)',
    )
    .option('--allow-any-key', 'accept any API key or none (local development only)')
    .action(async (_options: ServeOptions, command: Command) => {
      context.setExitCode(await runServe(command.optsWithGlobals<ServeOptions>(), context.io));
    });
}
