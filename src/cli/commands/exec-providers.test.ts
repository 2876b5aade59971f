import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import { type FakeChatCompletions, startFakeChatCompletions } from '../../testing/fake-chat-completions.js';
import { runCli } from '../run-cli.js';

let dir: ReturnType<typeof tempDir>;
let gemini: FakeChatCompletions;
let vllm: FakeChatCompletions;
let configPath: string;

beforeEach(async () => {
  dir = tempDir();
  gemini = await startFakeChatCompletions({
    dialect: 'gemini',
    apiKey: 'gem-key',
    models: ['gemini-2.5-pro', 'gemini-2.5-flash'],
  });
  vllm = await startFakeChatCompletions({ apiKey: 'vllm-key', models: ['llama-3-70b', 'qwen-2.5-coder'] });
  configPath = join(dir.path, 'config.yaml');
  writeFileSync(
    configPath,
    stringify({
      providers: {
        gemini: { base_url: gemini.baseUrl },
        'my-vllm': {
          type: 'openai-compatible',
          base_url: vllm.baseUrl,
          api_key_env: 'VLLM_KEY',
          patterns: ['qwen-*'],
        },
      },
    }),
  );
});
afterEach(async () => {
  await gemini.close();
  await vllm.close();
  dir.cleanup();
});

async function exec(args: string[], env: Record<string, string> = {}) {
  const captured = captureIo(dir.path, { GEMINI_API_KEY: 'gem-key', VLLM_KEY: 'vllm-key', ...env });
  const code = await runCli(['--config', configPath, 'exec', ...args], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('nodex exec through OpenAI-compatible providers', () => {
  it('--model gemini: the alias routes to the Gemini preset with GEMINI_API_KEY', async () => {
    const result = await exec(['--model', 'gemini', '-p', 'hi']);
    expect(result).toEqual({ code: 0, stdout: 'Hello from the fake.\n', stderr: '' });
    const [sent] = gemini.chatRequests();
    expect(sent?.headers.authorization).toBe('Bearer gem-key');
    expect(sent?.json).toMatchObject({
      model: 'gemini-2.5-pro',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'system' }, { role: 'user', content: 'hi' }],
    });
  });

  it('a custom host: by its pattern, and by discovery for a model no pattern names', async () => {
    expect((await exec(['-m', 'qwen-2.5-coder', '-p', 'hi'])).stdout).toBe('Hello from the fake.\n');
    expect((await exec(['-m', 'llama-3-70b', '-p', 'hi'])).stdout).toBe('Hello from the fake.\n');
    expect(vllm.chatRequests().map((r) => (r.json as { model: string }).model)).toEqual([
      'qwen-2.5-coder',
      'llama-3-70b',
    ]);
    expect(vllm.chatRequests()[0]?.headers.authorization).toBe('Bearer vllm-key');
  });

  it('--provider-key replaces a missing key variable for one request; without either the error names the variable', async () => {
    const missing = await exec(['-m', 'gemini-2.5-flash', '-p', 'hi'], { GEMINI_API_KEY: '' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('GEMINI_API_KEY');
    expect(gemini.chatRequests()).toHaveLength(0);
    const keyed = await exec(['-m', 'gemini-2.5-flash', '-p', 'hi', '--provider-key', 'gem-key'], {
      GEMINI_API_KEY: '',
    });
    expect(keyed.code).toBe(0);
    expect(gemini.chatRequests()[0]?.headers.authorization).toBe('Bearer gem-key');
  });

  it('the tool loop runs through Gemini, echoing the thought signature', async () => {
    gemini.enqueue({
      turn: {
        calls: [{ name: 'mock_tool', arguments: { value: 1 }, thoughtSignature: 'sig-xyz' }],
        finishReason: 'tool_calls',
      },
    });
    const result = await exec([
      '-m',
      'flash',
      '-p',
      'use it',
      '--tool',
      'mock_tool:inline={"type":"object"}',
      '--auto-tools',
      '--tool-output',
      'mock_tool=42',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Hello from the fake.\n');
    expect(JSON.stringify(gemini.chatRequests()[1]?.json)).toContain('sig-xyz');
  });
});
