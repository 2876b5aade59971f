import { chmodSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type LoadedConfig, loadConfig } from '../../config/load-config.js';
import { nodexHome } from '../../config/paths.js';
import { NodexError, toNodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import type { Provider, UpstreamRequestRecord } from '../../core/provider.js';
import { isMockMode, MOCK_MODES } from '../../providers/mock/mock-models.js';
import { buildProvider } from '../../providers/registry.js';
import { runToolLoop } from '../../sdk/tool-loop.js';
import { appContext } from '../app-context.js';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import { routeModel } from '../route-model.js';
import type { CommandContext } from '../run-cli.js';
import { UsageError } from '../usage-error.js';
import { JsonlAppender, TextRenderer } from './exec-output.js';
import { buildExecRequest, type ExecFlags } from './exec-request.js';
import { staticToolHandlers } from './exec-tools.js';

interface ExecOptions extends ExecFlags {
  readonly autoTools?: boolean;
  readonly toolOutput?: readonly string[];
  readonly maxTurns?: string;
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

async function selectProvider(
  options: ExecOptions,
  loaded: LoadedConfig,
  model: string,
  io: CliIo,
): Promise<{ provider: Provider; model: string }> {
  if (options.mock) {
    const mode = options.mockMode ?? loaded.config.exec.mock_mode;
    if (!isMockMode(mode)) {
      const source = options.mockMode === undefined ? 'exec.mock_mode' : '--mock-mode';
      throw new UsageError(`${source} "${mode}": expected one of ${MOCK_MODES.join(', ')}`);
    }
    const context = { env: io.env, home: nodexHome(io.env), configPath: loaded.path };
    const built = buildProvider('mock', { ...loaded.config.providers.mock, type: 'mock', mode }, context);
    if (!built || !('provider' in built)) throw new UsageError('the mock provider is disabled in the config');
    return { provider: built.provider, model };
  }
  const route = await routeModel(appContext(io, options.config), model);
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
  const handlers = options.autoTools ? staticToolHandlers(options.toolOutput ?? []) : undefined;
  const maxTurns = parseMaxTurns(options.maxTurns);
  const { provider, model } = await selectProvider(options, loaded, request.model, io);
  const signals = [AbortSignal.timeout(loaded.config.exec.timeout)];
  if (io.signal) signals.push(io.signal);
  const signal = AbortSignal.any(signals);
  const responses = options.logResponses
    ? new JsonlAppender(resolve(io.cwd, options.logResponses))
    : undefined;
  const text = new TextRenderer(io.stdout, io.stderr);
  let failed = false;
  let completed = false;
  const render = (event: StreamEvent) => {
    responses?.append(event);
    if (options.json) io.stdout.write(`${JSON.stringify(event)}\n`);
    else text.render(event);
    if (event.type === 'response_completed') completed = true;
    if (event.type === 'error') {
      failed = true;
      io.stderr.write(`${options.json ? '' : '\n'}error: ${event.error} (${event.code})\n`);
    }
  };
  const context = {
    signal,
    onWarning,
    ...(options.providerKey ? { providerKey: options.providerKey } : {}),
    ...(options.logRequests
      ? {
          onUpstreamRequest: (r: UpstreamRequestRecord) =>
            writeRequestLog(resolve(io.cwd, options.logRequests as string), r),
        }
      : {}),
  };
  const timedOut = () =>
    new NodexError('upstream_timeout', `no answer within ${loaded.config.exec.timeout} ms (exec.timeout)`);
  try {
    if (handlers) {
      await runToolLoop(provider, { ...request, model }, handlers, {
        maxTurns,
        context,
        onEvent: render,
        onToolOutput: (output) => {
          // Tool outputs are not stream events: one line in the Responses item shape, beside them.
          const line = {
            type: 'function_call_output',
            call_id: output.call_id,
            name: output.name,
            output: output.output,
          };
          responses?.append(line);
          if (options.json) io.stdout.write(`${JSON.stringify(line)}\n`);
          else io.stderr.write(`[tool output] ${output.name} ${String(output.output)}\n`);
        },
      });
    } else {
      for await (const event of provider.stream({ ...request, model }, context)) render(event);
    }
  } catch (error) {
    if (io.signal?.aborted) return EXIT.interrupted;
    if (failed) return EXIT.failure; // already reported as an error event
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

function parseMaxTurns(value: string | undefined): number {
  if (value === undefined) return 4;
  const turns = Number(value);
  if (!Number.isInteger(turns) || turns < 1 || turns > 50)
    throw new UsageError(`--max-turns "${value}": expected a whole number from 1 to 50`);
  return turns;
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
    .option(
      '--auto-tools',
      'run the tool loop: answer tool calls with --tool-output values and call the model again',
    )
    .option(
      '--tool-output <name=value>',
      'the output of tool NAME in the tool loop ($args echoes the arguments; repeatable)',
      collect,
    )
    .option('--max-turns <n>', 'model calls allowed in the tool loop (default 4)')
    .action(async (promptArg: string | undefined, _options: ExecOptions, command: Command) => {
      context.setExitCode(await runExec(command.optsWithGlobals<ExecOptions>(), promptArg, context.io));
    });
}
