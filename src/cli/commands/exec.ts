import { chmodSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type LoadedConfig, loadConfig } from '../../config/load-config.js';
import { nodexHome } from '../../config/paths.js';
import { NodexError, toNodexError } from '../../core/errors.js';
import type { Provider, UpstreamRequestRecord } from '../../core/provider.js';
import { isMockMode, MOCK_MODES } from '../../providers/mock/mock-models.js';
import { buildProvider, buildProviders } from '../../providers/registry.js';
import { createRouter } from '../../routing/create-router.js';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import type { CommandContext } from '../run-cli.js';
import { UsageError } from '../usage-error.js';
import { JsonlAppender, TextRenderer } from './exec-output.js';
import { buildExecRequest, type ExecFlags } from './exec-request.js';

interface ExecOptions extends ExecFlags {
  readonly json?: boolean;
  readonly mockMode?: string;
  readonly logRequests?: string;
  readonly logResponses?: string;
  readonly providerKey?: string;
  readonly config?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function writeRequestLog(path: string, record: UpstreamRequestRecord): void {
  writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function selectProvider(
  options: ExecOptions,
  loaded: LoadedConfig,
  model: string,
  io: CliIo,
): { provider: Provider; model: string } {
  const context = { env: io.env, home: nodexHome(io.env), configPath: loaded.path };
  if (options.mock) {
    const mode = options.mockMode ?? loaded.config.exec.mock_mode;
    if (!isMockMode(mode)) {
      const source = options.mockMode === undefined ? 'exec.mock_mode' : '--mock-mode';
      throw new UsageError(`${source} "${mode}": expected one of ${MOCK_MODES.join(', ')}`);
    }
    const built = buildProvider('mock', { ...loaded.config.providers.mock, type: 'mock', mode }, context);
    if (!built || !('provider' in built)) throw new UsageError('the mock provider is disabled in the config');
    return { provider: built.provider, model };
  }
  const route = createRouter(loaded.config, buildProviders(loaded.config, context)).route(model);
  return { provider: route.provider, model: route.model };
}

/** Runs one prompt and streams the answer: text, or v1 events as JSONL with --json. */
export async function runExec(
  options: ExecOptions,
  promptArg: string | undefined,
  io: CliIo,
): Promise<ExitCode> {
  if (options.mockMode !== undefined && !isMockMode(options.mockMode)) {
    throw new UsageError(`--mock-mode "${options.mockMode}": expected one of ${MOCK_MODES.join(', ')}`);
  }
  const loaded = loadConfig({ path: options.config, env: io.env });
  for (const warning of loaded.warnings) io.stderr.write(`warning: config ${warning}\n`);
  const onWarning = (w: { feature: string; details: string }) => io.stderr.write(`warning: ${w.details}\n`);
  const request = buildExecRequest(options, loaded.config, { cwd: io.cwd, promptArg, onWarning });
  const { provider, model } = selectProvider(options, loaded, request.model, io);
  const signals = [AbortSignal.timeout(loaded.config.exec.timeout)];
  if (io.signal) signals.push(io.signal);
  const signal = AbortSignal.any(signals);
  const responses = options.logResponses
    ? new JsonlAppender(resolve(io.cwd, options.logResponses))
    : undefined;
  const text = new TextRenderer(io.stdout, io.stderr);
  let failed = false;
  let completed = false;
  const timedOut = () =>
    new NodexError('upstream_timeout', `no answer within ${loaded.config.exec.timeout} ms (exec.timeout)`);
  try {
    const stream = provider.stream(
      { ...request, model },
      {
        signal,
        onWarning,
        ...(options.providerKey ? { providerKey: options.providerKey } : {}),
        ...(options.logRequests
          ? { onUpstreamRequest: (r) => writeRequestLog(resolve(io.cwd, options.logRequests as string), r) }
          : {}),
      },
    );
    for await (const event of stream) {
      responses?.append(event);
      if (options.json) io.stdout.write(`${JSON.stringify(event)}\n`);
      else text.render(event);
      if (event.type === 'response_completed') completed = true;
      if (event.type === 'error') {
        failed = true;
        io.stderr.write(`${options.json ? '' : '\n'}error: ${event.error} (${event.code})\n`);
      }
    }
  } catch (error) {
    if (io.signal?.aborted) return EXIT.interrupted;
    throw signal.aborted ? timedOut() : toNodexError(error);
  } finally {
    responses?.close();
  }
  if (io.signal?.aborted) return EXIT.interrupted;
  if (!options.json) text.finish();
  if (!failed && !completed)
    throw signal.aborted
      ? timedOut()
      : new NodexError('stream_error', 'the stream ended before the response completed');
  return failed ? EXIT.failure : EXIT.ok;
}

export function registerExec(program: Command, context: CommandContext): void {
  program
    .command('exec')
    .description('run one prompt and stream the answer (text, or v1 events as JSONL with --json)')
    .argument('[prompt]', 'the prompt (same as --prompt)')
    .option('-m, --model <model>', 'model or alias (default: exec.model)')
    .option('-p, --prompt <text>', 'user prompt')
    .option('--instructions <text>', 'system instructions (default: exec.instructions)')
    .option('--input-json <file|json>', 'a JSON array of Responses input items (a file path, or inline JSON)')
    .option('--tool <spec>', 'web_search | NAME:json=schema.json | NAME:inline={...} (repeatable)', collect)
    .option('--tool-choice <choice>', 'auto | required | none | function:NAME')
    .option('--reasoning-effort <effort>', 'none | minimal | low | medium | high | xhigh')
    .option('--json', 'print v1 stream events as JSONL on stdout')
    .option('--mock', 'use the built-in mock provider (no network)')
    .option('--mock-mode <mode>', `mock mode: ${MOCK_MODES.join(' | ')} (default: exec.mock_mode)`)
    .option('--provider-key <key>', 'per-request upstream API key (OpenAI-compatible providers)')
    .option('--log-requests <file>', 'write the exact upstream request as JSON (mode 0600)')
    .option('--log-responses <file>', 'append every event as JSONL (mode 0600)')
    .action(async (promptArg: string | undefined, _options: ExecOptions, command: Command) => {
      context.setExitCode(await runExec(command.optsWithGlobals<ExecOptions>(), promptArg, context.io));
    });
}
