import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';
import { writeCodexLogin } from '../../testing/e2e-upstreams.js';
import { codexSseFrames, type FakeCodex, startFakeCodex } from '../../testing/fake-codex.js';
import type { RecordedRequest, Reply } from '../../testing/fake-upstream.js';
import { startGateway, type TestGateway } from '../../testing/gateway-harness.js';

/**
 * The real Claude Code (`@anthropic-ai/claude-code` 2.1.197, a native binary that runs offline)
 * completes `claude -p` through the gateway to a fake Codex backend, running the tool the model
 * calls (real-clients.md). The fake answers each request from its content alone, so any extra
 * request Claude Code makes (side requests, retries) gets a sensible reply too.
 */

const CLAUDE = join(process.cwd(), 'node_modules', '.bin', 'claude');
const MODEL = 'gpt-5.5';
const KEY = `nk-claude-e2e-${randomUUID()}`;
const MARKER = `nodex-e2e-marker-${randomUUID().slice(0, 8)}`;
const COMMAND = `echo ${MARKER} > out.txt && cat out.txt`;
const BASH_PROMPT = 'Write the marker into out.txt with the Bash tool, then tell me when it is done.';
const SEARCH_PROMPT = 'Search the web for the nodex gateway, then summarise what you found.';
const SEARCH_QUERY = 'nodex gateway';
const SEARCH_RESULT = `The nodex gateway routes requests (${randomUUID().slice(0, 8)}).`;
const CALL_ID = `call_${randomUUID().replaceAll('-', '')}`;
const ENCRYPTED = `gAAAAAB-nodex-e2e-${randomUUID()}`;
const FINAL = `All done: the tool finished (${MARKER}).`;

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const inputOf = (request: RecordedRequest | undefined): Json[] =>
  list(asObject(request?.json).input).map(asObject);
const toolsOf = (request: RecordedRequest | undefined): Json[] =>
  list(asObject(request?.json).tools).map(asObject);
const hasOutput = (request: RecordedRequest): boolean =>
  inputOf(request).some((item) => item.type === 'function_call_output');
const userTexts = (request: RecordedRequest | undefined): string =>
  inputOf(request)
    .filter((item) => item.type === 'message' && item.role === 'user')
    .flatMap((item) => list(item.content).map((part) => String(asObject(part).text ?? '')))
    .join('\n');

function completed(id: string, output: readonly Json[]): Json {
  return {
    type: 'response.completed',
    response: {
      id,
      object: 'response',
      status: 'completed',
      model: MODEL,
      output,
      usage: { input_tokens: 1200, output_tokens: 40, total_tokens: 1240 },
    },
  };
}

/** A Codex stream answering with text. */
function textReply(text: string): Reply {
  const id = `resp_${randomUUID().replaceAll('-', '')}`;
  const item = {
    id: `msg_${id}`,
    type: 'message',
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
  const part = { item_id: item.id, output_index: 0, content_index: 0 };
  return {
    sse: codexSseFrames([
      { type: 'response.created', response: { id, status: 'in_progress', model: MODEL, output: [] } },
      { type: 'response.output_item.added', output_index: 0, item: { ...item, content: [] } },
      {
        type: 'response.content_part.added',
        ...part,
        part: { type: 'output_text', text: '', annotations: [] },
      },
      { type: 'response.output_text.delta', ...part, delta: text },
      { type: 'response.output_text.done', ...part, text },
      { type: 'response.output_item.done', output_index: 0, item },
      completed(id, [item]),
    ]),
  };
}

/** A Codex stream with a reasoning item (encrypted, for replay), then a call of one of Claude Code's tools. */
function callReply(name: string, args: Json): Reply {
  const id = `resp_nodex_e2e_${name}`;
  const reasoning = {
    id: 'rs_nodex_e2e',
    type: 'reasoning',
    summary: [{ type: 'summary_text', text: `Use ${name}.` }],
    encrypted_content: ENCRYPTED,
  };
  const text = JSON.stringify(args);
  const call = {
    id: 'fc_nodex_e2e',
    type: 'function_call',
    status: 'completed',
    call_id: CALL_ID,
    name,
    arguments: text,
  };
  const at = { item_id: call.id, output_index: 1 };
  return {
    sse: codexSseFrames([
      { type: 'response.created', response: { id, status: 'in_progress', model: MODEL, output: [] } },
      { type: 'response.output_item.added', output_index: 0, item: { ...reasoning, summary: [] } },
      { type: 'response.output_item.done', output_index: 0, item: reasoning },
      {
        type: 'response.output_item.added',
        output_index: 1,
        item: { ...call, arguments: '', status: 'in_progress' },
      },
      { type: 'response.function_call_arguments.delta', ...at, delta: text.slice(0, 10) },
      { type: 'response.function_call_arguments.delta', ...at, delta: text.slice(10) },
      { type: 'response.function_call_arguments.done', ...at, arguments: text },
      { type: 'response.output_item.done', output_index: 1, item: call },
      completed(id, [reasoning, call]),
    ]),
  };
}

/**
 * What the fake Codex answers, from the request alone: after a tool output, the final text; to a
 * request carrying a hosted `web_search` tool (Claude Code's WebSearch side request), the search
 * result; to a main turn, the call its prompt asks for; to anything else, a short text.
 */
function codexReply(request: RecordedRequest): Reply {
  if (hasOutput(request)) return textReply(FINAL);
  if (toolsOf(request).some((tool) => tool.type === 'web_search')) return textReply(SEARCH_RESULT);
  const prompt = userTexts(request);
  if (prompt.includes(BASH_PROMPT))
    return callReply('Bash', { command: COMMAND, description: 'Write the marker to out.txt' });
  if (prompt.includes(SEARCH_PROMPT)) return callReply('WebSearch', { query: SEARCH_QUERY });
  return textReply('nodex e2e');
}

interface ClaudeRun {
  readonly code: number | string | null;
  readonly stdout: string;
  readonly stderr: string;
}

let home: ReturnType<typeof tempDir>;
let fake: FakeCodex;
let gw: TestGateway;

beforeEach(async () => {
  home = tempDir('nodex-claude-code-');
  fake = await startFakeCodex({ reply: codexReply });
  gw = await startGateway({
    config: {
      server: { allow_any_key: false, api_keys: [KEY] },
      providers: { codex: { base_url: fake.baseUrl } },
    },
    env: { ...writeCodexLogin(home.path), HOME: home.path },
    home: home.path,
  });
});
afterEach(async () => {
  await gw.close();
  await fake.close();
  home.cleanup();
});

/**
 * Runs `claude -p <prompt>` in a fresh work dir, with a clean environment (no proxies, isolated
 * HOME and config dir) pointed at the gateway, and a timeout.
 */
function runClaude(prompt: string, allowedTools: string): Promise<ClaudeRun & { readonly cwd: string }> {
  const cwd = join(home.path, 'work');
  const claudeHome = join(home.path, 'claude-home');
  const claudeConfig = join(home.path, 'claude-config');
  for (const dir of [cwd, claudeHome, claudeConfig]) mkdirSync(dir, { recursive: true });
  const args = ['-p', prompt, '--allowedTools', allowedTools, '--output-format', 'json', '--max-turns', '4'];
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: claudeHome,
    CLAUDE_CONFIG_DIR: claudeConfig,
    ANTHROPIC_BASE_URL: gw.url,
    ANTHROPIC_API_KEY: KEY,
    ANTHROPIC_MODEL: MODEL,
    ANTHROPIC_SMALL_FAST_MODEL: MODEL,
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
  return new Promise((resolve) => {
    const child = execFile(
      CLAUDE,
      [...args, '--no-session-persistence'],
      { cwd, env, timeout: 100_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (error.code ?? error.signal ?? 'error') : 0, stdout, stderr, cwd });
      },
    );
    child.stdin?.end();
  });
}

/** Claude Code exited 0 and printed (json output) a successful result with the final text. */
function expectSuccess(run: ClaudeRun): void {
  expect(run.code, JSON.stringify({ run, logs: gw.logs }, null, 2)).toBe(0);
  expect(run.stdout).toContain(FINAL);
  expect(JSON.parse(run.stdout)).toMatchObject({
    type: 'result',
    subtype: 'success',
    is_error: false,
    result: FINAL,
  });
}

/**
 * The one follow-up (the request after the tool ran) replays the call and the reasoning item
 * (through Claude Code's thinking signature) and carries the output under the first answer's call id.
 */
function expectFollowUp(name: string): Json {
  const followUps = fake.responses().filter(hasOutput);
  expect(followUps).toHaveLength(1);
  const input = inputOf(followUps[0]);
  const call = input.find((item) => item.type === 'function_call');
  expect(call).toMatchObject({ call_id: CALL_ID, name });
  expect(input.find((item) => item.type === 'reasoning')).toMatchObject({ encrypted_content: ENCRYPTED });
  const output = input.find((item) => item.type === 'function_call_output');
  expect(output?.call_id).toBe(CALL_ID);
  return { arguments: JSON.parse(String(call?.arguments)), output: output?.output };
}

/**
 * Every Messages request was authenticated with the static key and served by codex, nothing failed,
 * and the key never reached the log.
 */
function expectCleanLogs(minRequests: number): void {
  const lines = gw.logs.filter((line) => line.msg === 'request');
  const messages = lines.filter((line) => line.route === 'messages');
  expect(messages.length).toBeGreaterThanOrEqual(minRequests);
  for (const line of messages)
    expect(line).toMatchObject({ key_id: 'static_0', provider: 'codex', status: 200 });
  expect(lines.filter((line) => Number(line.status) >= 400)).toEqual([]);
  expect(gw.logText()).not.toContain(KEY);
}

it('claude -p runs a Bash call through the gateway to Codex and prints the final answer', async () => {
  const run = await runClaude(BASH_PROMPT, 'Bash');
  expectSuccess(run);

  // Claude Code ran the command the model called, in its cwd.
  const outFile = join(run.cwd, 'out.txt');
  expect(existsSync(outFile)).toBe(true);
  expect(readFileSync(outFile, 'utf8').trim()).toBe(MARKER);

  // Codex saw Claude Code's tools as function tools: Bash with its `command` parameter.
  const main = fake.responses().find((r) => userTexts(r).includes(BASH_PROMPT) && !hasOutput(r));
  expect(toolsOf(main).find((tool) => tool.name === 'Bash')).toMatchObject({
    type: 'function',
    parameters: { properties: { command: { type: 'string' } } },
  });
  expect(toolsOf(main).every((tool) => tool.type === 'function')).toBe(true);
  // Claude Code's mid-conversation system message arrives as a developer message.
  expect(inputOf(main).some((item) => item.role === 'developer')).toBe(true);

  const followUp = expectFollowUp('Bash');
  expect(followUp.arguments).toMatchObject({ command: COMMAND });
  expect(JSON.stringify(followUp.output)).toContain(MARKER);
  expectCleanLogs(2);
}, 120_000);

it('claude -p WebSearch: the side request reaches Codex as a hosted web_search tool it accepts', async () => {
  const run = await runClaude(SEARCH_PROMPT, 'WebSearch');
  expectSuccess(run);

  // Claude Code's WebSearch tool makes a side request whose only tool is Anthropic's server web
  // search (`web_search_20250305`, with `max_uses`); Codex gets its hosted `web_search` instead.
  const side = fake.responses().filter((r) => toolsOf(r).some((tool) => tool.type === 'web_search'));
  expect(side).toHaveLength(1);
  expect(toolsOf(side[0])).toEqual([{ type: 'web_search', external_web_access: true }]);
  expect(userTexts(side[0])).toContain(SEARCH_QUERY);

  const followUp = expectFollowUp('WebSearch');
  expect(followUp.arguments).toMatchObject({ query: SEARCH_QUERY });
  expect(JSON.stringify(followUp.output)).toContain(SEARCH_RESULT);
  expectCleanLogs(3);
}, 120_000);
