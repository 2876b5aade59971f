/**
 * The real Codex CLI (`@openai/codex`, node_modules/.bin/codex) runs `codex exec` through the
 * gateway to a fake Anthropic API: Codex speaks Responses to nodex with a static gateway key from
 * its `env_key`, nodex speaks Messages upstream, the model calls Codex's `exec_command` tool, Codex
 * runs it and sends the output back, and the final answer lands on Codex's stdout
 * (research/real-clients.md). Everything stays on 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';
import {
  anthropicFrames,
  anthropicSseFrames,
  type FakeAnthropic,
  type FakeAnthropicReply,
  startFakeAnthropic,
} from '../../testing/fake-anthropic.js';
import type { RecordedRequest } from '../../testing/fake-upstream.js';
import { startGateway, type TestGateway } from '../../testing/gateway-harness.js';

type Json = Record<string, unknown>;

const CODEX_BIN = fileURLToPath(new URL('../../../node_modules/.bin/codex', import.meta.url));
const GATEWAY_KEY = 'nk-codex-cli-e2e-0123456789';
const UPSTREAM_KEY = 'sk-ant-api03-codex-cli-e2e';
const MODEL = 'claude-sonnet-4-5';
const FINAL_TEXT = 'All done: the marker file is written.';
/** The command prints the marker, which its own text does not contain verbatim. */
const MARKER = 'nodex-e2e-marker';
const COMMAND = `printf 'nodex-%s' e2e-marker > out.txt && cat out.txt`;

let dir: ReturnType<typeof tempDir>;
let fake: FakeAnthropic;
let gw: TestGateway;

beforeEach(() => {
  dir = tempDir('nodex-codex-cli-');
});
afterEach(async () => {
  await gw?.close();
  await fake?.close();
  dir.cleanup();
});

const messagesOf = (request: RecordedRequest): Json[] => {
  const messages = (request.json as Json | undefined)?.messages;
  return Array.isArray(messages) ? (messages as Json[]) : [];
};
const blocksOf = (message: Json | undefined): Json[] =>
  Array.isArray(message?.content) ? (message.content as Json[]) : [];
const hasToolResult = (request: RecordedRequest): boolean =>
  blocksOf(messagesOf(request).at(-1)).some((block) => block.type === 'tool_result');

/** The final answer, for any request that carries a tool result (and any unexpected extra call). */
const finalReply = (): FakeAnthropicReply => ({
  sse: anthropicSseFrames([
    anthropicFrames.start({ id: 'msg_codex_final' }),
    ...anthropicFrames.text(0, ['All done: ', 'the marker file is written.']),
    ...anthropicFrames.end('end_turn', 9),
  ]),
});

async function startStack(reply: (request: RecordedRequest) => FakeAnthropicReply): Promise<void> {
  fake = await startFakeAnthropic({ apiKeys: [UPSTREAM_KEY], reply });
  gw = await startGateway({
    config: {
      providers: { anthropic: { base_url: fake.url } },
      server: { allow_any_key: false, api_keys: [GATEWAY_KEY] },
    },
    env: { ANTHROPIC_API_KEY: UPSTREAM_KEY, HOME: dir.path },
    home: dir.path,
  });
}

/**
 * Writes CODEX_HOME/config.toml: a custom provider (the id `openai` is reserved) pointing at the
 * gateway, no retries (a broken gateway fails the test at once), and nothing that reaches the
 * internet (`features.plugins` is what resolves github.com and chatgpt.com at start-up).
 */
function writeCodexConfig(codexHome: string, extra = ''): void {
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(
    join(codexHome, 'config.toml'),
    [
      `model = "${MODEL}"`,
      'model_provider = "nodex"',
      'check_for_update_on_startup = false',
      extra,
      '[analytics]',
      'enabled = false',
      '',
      '[feedback]',
      'enabled = false',
      '',
      '[features]',
      'plugins = false',
      '',
      '[model_providers.nodex]',
      'name = "nodex"',
      `base_url = "${gw.url}/v1"`,
      'env_key = "NODEX_KEY"',
      'wire_api = "responses"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
    ].join('\n'),
  );
}

interface CodexRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly workdir: string;
}

/** Runs `codex exec` in a fresh work dir with a minimal environment (no proxies, no OpenAI key). */
async function runCodex(prompt: string, configExtra = ''): Promise<CodexRun> {
  const home = join(dir.path, 'home');
  const codexHome = join(home, '.codex');
  const workdir = join(dir.path, 'work');
  mkdirSync(workdir, { recursive: true });
  writeCodexConfig(codexHome, configExtra);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    CODEX_HOME: codexHome,
    NODEX_KEY: GATEWAY_KEY,
    NO_PROXY: '127.0.0.1,localhost',
  };
  const args = ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', prompt];
  return new Promise((resolve) => {
    const child = execFile(
      CODEX_BIN,
      args,
      { cwd: workdir, env, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr, workdir });
      },
    );
    // `codex exec` also reads a piped stdin until EOF.
    child.stdin?.end();
  });
}

function describeRun(run: CodexRun): string {
  const logs = gw.logs.map((line) => JSON.stringify(line)).join('\n');
  return `codex exited ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}\n--- gateway log\n${logs}`;
}

/** The gateway's access-log lines for Codex's Responses calls. */
const responsesLogLines = () =>
  gw.logs.filter((line) => line.msg === 'request' && line.route === 'responses');

function expectNoSecretsInLogs(): void {
  const text = gw.logText();
  expect(text).not.toContain(GATEWAY_KEY);
  expect(text).not.toContain(UPSTREAM_KEY);
}

describe('Codex CLI → nodex gateway → Anthropic', () => {
  it('completes codex exec with one exec_command call and its result', { timeout: 120_000 }, async () => {
    expect(existsSync(CODEX_BIN), `${CODEX_BIN} (@openai/codex) must be installed`).toBe(true);
    const toolUseId = 'toolu_01CodexE2eShell';
    await startStack((request) =>
      hasToolResult(request)
        ? finalReply()
        : {
            sse: anthropicSseFrames([
              anthropicFrames.start({ id: 'msg_codex_tool' }),
              ...anthropicFrames.text(0, ['Writing the marker file.']),
              ...anthropicFrames.toolUse(1, toolUseId, 'exec_command', { cmd: COMMAND }),
              ...anthropicFrames.end('tool_use', 20),
            ]),
          },
    );

    const run = await runCodex('Write the nodex marker into out.txt.');

    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(FINAL_TEXT);
    expect(readFileSync(join(run.workdir, 'out.txt'), 'utf8')).toBe(MARKER);

    const [first, second, ...rest] = fake.messages();
    expect(rest, 'no extra upstream calls').toEqual([]);
    if (!first || !second) throw new Error(`expected two upstream calls\n${describeRun(run)}`);

    // The first call: Codex's developer messages became the system prompt, its tools came through.
    const body = first.json as Json;
    expect(body.model).toBe(MODEL);
    expect(body.stream).toBe(true);
    expect(JSON.stringify(body.system)).toContain('Codex CLI');
    const tools = (body.tools as Json[]).map((tool) => tool.name);
    expect(tools).toContain('exec_command');
    const shell = (body.tools as Json[]).find((tool) => tool.name === 'exec_command');
    expect((shell?.input_schema as Json | undefined)?.required).toEqual(['cmd']);
    expect(JSON.stringify(messagesOf(first).at(-1))).toContain('Write the nodex marker into out.txt.');

    // The second call replays the assistant turn, then answers it with the command's real output.
    const messages = messagesOf(second);
    const assistant = messages.at(-2);
    expect(assistant?.role).toBe('assistant');
    expect(blocksOf(assistant)).toEqual([
      { type: 'text', text: 'Writing the marker file.' },
      { type: 'tool_use', id: toolUseId, name: 'exec_command', input: { cmd: COMMAND } },
    ]);
    const results = blocksOf(messages.at(-1)).filter((block) => block.type === 'tool_result');
    expect(results).toHaveLength(1);
    expect(results[0]?.tool_use_id).toBe(toolUseId);
    expect(JSON.stringify(results[0]?.content)).toContain(MARKER);

    // The gateway served both turns on the static key, and never logged a key.
    const lines = responsesLogLines();
    expect(lines).toHaveLength(2);
    for (const line of lines)
      expect(line).toMatchObject({ status: 200, provider: 'anthropic', model: MODEL, key_id: 'static_0' });
    expectNoSecretsInLogs();
  });

  it('round-trips Claude thinking through reasoning items across two parallel tool calls', {
    timeout: 120_000,
  }, async () => {
    expect(existsSync(CODEX_BIN), `${CODEX_BIN} (@openai/codex) must be installed`).toBe(true);
    const signature = 'EqQBCkYIBxgCKkBcodexE2eSignature';
    const ids = ['toolu_01CodexE2eFirst', 'toolu_01CodexE2eSecond'];
    await startStack((request) =>
      hasToolResult(request)
        ? finalReply()
        : {
            sse: anthropicSseFrames([
              anthropicFrames.start({ id: 'msg_codex_think' }),
              ...anthropicFrames.thinking(0, 'Two commands, run both.', signature),
              ...anthropicFrames.toolUse(1, ids[0] ?? '', 'exec_command', { cmd: COMMAND }),
              ...anthropicFrames.toolUse(2, ids[1] ?? '', 'exec_command', { cmd: 'echo second-$((40+2))' }),
              ...anthropicFrames.end('tool_use', 30),
            ]),
          },
    );

    const run = await runCodex(
      'Run the two commands.',
      'model_reasoning_effort = "high"\nmodel_reasoning_summary = "detailed"\n',
    );

    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(FINAL_TEXT);
    expect(readFileSync(join(run.workdir, 'out.txt'), 'utf8')).toBe(MARKER);

    const [first, second, ...rest] = fake.messages();
    expect(rest, 'no extra upstream calls').toEqual([]);
    if (!first || !second) throw new Error(`expected two upstream calls\n${describeRun(run)}`);
    // Codex's reasoning effort turned thinking on; the fake rejects a replay without the signed block.
    expect((first.json as Json).thinking).toMatchObject({ type: 'enabled' });
    const messages = messagesOf(second);
    expect(blocksOf(messages.at(-2))).toEqual([
      { type: 'thinking', thinking: 'Two commands, run both.', signature },
      { type: 'tool_use', id: ids[0], name: 'exec_command', input: { cmd: COMMAND } },
      { type: 'tool_use', id: ids[1], name: 'exec_command', input: { cmd: 'echo second-$((40+2))' } },
    ]);
    const results = blocksOf(messages.at(-1));
    expect(results.map((block) => [block.type, block.tool_use_id])).toEqual([
      ['tool_result', ids[0]],
      ['tool_result', ids[1]],
    ]);
    expect(JSON.stringify(results[0]?.content)).toContain(MARKER);
    expect(JSON.stringify(results[1]?.content)).toContain('second-42');

    expect(responsesLogLines()).toHaveLength(2);
    expectNoSecretsInLogs();
  });
});
