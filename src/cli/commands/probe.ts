import type { Command } from 'commander';
import { request } from 'undici';
import { type CliIo, EXIT, type ExitCode } from '../io.js';
import type { CommandContext } from '../run-cli.js';

interface ProbeOptions {
  readonly url?: string;
  readonly key?: string;
  readonly json?: boolean;
}

interface ModelAnswer {
  readonly id?: string;
  readonly backend?: string;
  readonly alias?: string;
  readonly display_name?: string;
}

/** `nodex probe MODEL`: asks a running gateway whether it serves a model, and through which provider. */
export async function runProbe(model: string, options: ProbeOptions, io: CliIo): Promise<ExitCode> {
  const base = (options.url ?? io.env.NODEX_URL ?? 'http://127.0.0.1:39001').replace(/\/+$/, '');
  const key = options.key ?? io.env.NODEX_API_KEY;
  const response = await request(`${base}/v1/models/${encodeURIComponent(model)}`, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  }).catch((error: unknown) => {
    io.stderr.write(
      `error: cannot reach ${base}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return undefined;
  });
  if (!response) return EXIT.failure;
  const text = await response.body.text();
  if (response.statusCode === 404) {
    io.stdout.write(
      options.json
        ? `${JSON.stringify({ status: 'not_found', model })}\n`
        : `ERROR: model "${model}" not found\n`,
    );
    return EXIT.failure;
  }
  if (response.statusCode !== 200) {
    io.stderr.write(`error: unexpected status ${response.statusCode}: ${text.slice(0, 2000)}\n`);
    return EXIT.failure;
  }
  if (options.json) {
    io.stdout.write(`${text.trim()}\n`);
    return EXIT.ok;
  }
  const answer = JSON.parse(text) as ModelAnswer;
  const name = answer.alias ? `${answer.alias} → ${answer.id}` : answer.id;
  io.stdout.write(
    `OK: ${name} (${answer.backend})${answer.display_name ? ` [${answer.display_name}]` : ''}\n`,
  );
  return EXIT.ok;
}

export function registerProbe(program: Command, context: CommandContext): void {
  program
    .command('probe')
    .description('ask a running gateway whether it serves MODEL, and through which provider')
    .argument('<model>', 'model id or alias')
    .option('--url <url>', 'gateway URL (default $NODEX_URL or http://127.0.0.1:39001)')
    .option('--key <key>', 'gateway API key (default $NODEX_API_KEY)')
    .option('--json', 'print the answer as JSON')
    .action(async (model: string, _options: ProbeOptions, command: Command) => {
      context.setExitCode(await runProbe(model, command.optsWithGlobals<ProbeOptions>(), context.io));
    });
}
