import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../core/events.js';
import { MOCK_TEXT } from '../../providers/mock/mock-script.js';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import { runCli } from '../run-cli.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

async function exec(args: string[], env: Record<string, string> = {}) {
  const captured = captureIo(dir.path, env);
  const code = await runCli(['exec', ...args], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

function jsonLines(text: string): StreamEvent[] {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as StreamEvent);
}

const types = (events: StreamEvent[]) => events.map((e) => e.type);

describe('nodex exec --mock: text mode', () => {
  it('streams the text mode answer and ends with a newline', async () => {
    const result = await exec(['--mock', '--mock-mode', 'text', '--prompt', 'hi']);
    expect(result).toEqual({ code: 0, stdout: `${MOCK_TEXT}\n`, stderr: '' });
  });

  it('echo mode (the default) repeats the prompt, given positionally too', async () => {
    expect((await exec(['--mock', 'say this back'])).stdout).toBe('say this back\n');
  });

  it('tool calls are noted on stderr; stdout stays the answer', async () => {
    const result = await exec(['--mock', '--mock-mode', 'tool-call', '-p', 'x']);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('[tool call] mock_tool {"value":42}\n');
    expect(result.code).toBe(0);
  });
});

describe('nodex exec --mock --json: exact v1 event sequences', () => {
  it('every line parses; echo: response_started, text deltas, usage, response_completed', async () => {
    const { code, stdout } = await exec(['--mock', '--json', '--prompt', 'hello there']);
    expect(code).toBe(0);
    const events = jsonLines(stdout);
    expect(events.every((e) => e.schema_version === 'v1')).toBe(true);
    expect(events.slice(1)).toEqual([
      { schema_version: 'v1', type: 'text_delta', delta: 'hello ' },
      { schema_version: 'v1', type: 'text_delta', delta: 'there' },
      { schema_version: 'v1', type: 'usage', usage: expect.objectContaining({ output_tokens: 3 }) },
      { schema_version: 'v1', type: 'response_completed', finish_reason: 'stop', finish_reason_raw: 'stop' },
    ]);
    expect(events[0]).toEqual({
      schema_version: 'v1',
      type: 'response_started',
      response_id: expect.stringMatching(/^resp_mock_/),
      model: 'mock',
    });
  });

  it('text', async () => {
    const events = jsonLines((await exec(['--mock', '--mock-mode', 'text', '--json', '-p', 'hi'])).stdout);
    const deltas = events.flatMap((e) => (e.type === 'text_delta' ? [e.delta] : []));
    expect(deltas.join('')).toBe(MOCK_TEXT);
    expect(types(events)).toEqual([
      'response_started',
      ...deltas.map(() => 'text_delta'),
      'usage',
      'response_completed',
    ]);
  });

  it('tool-call with a --tool schema file: the call uses that tool with schema-valid arguments', async () => {
    writeFileSync(
      join(dir.path, 'weather.json'),
      JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
    );
    const { code, stdout } = await exec([
      '--mock',
      '--mock-mode',
      'tool-call',
      '--json',
      '-p',
      'weather?',
      '--tool',
      'get_weather:json=weather.json',
      '--tool-choice',
      'function:get_weather',
    ]);
    expect(code).toBe(0);
    const events = jsonLines(stdout);
    expect(types(events)).toEqual([
      'response_started',
      'tool_call_started',
      'tool_call_arguments_delta',
      'tool_call_arguments_delta',
      'tool_call_done',
      'usage',
      'response_completed',
    ]);
    expect(events[4]).toMatchObject({
      type: 'tool_call_done',
      tool_call: { name: 'get_weather', arguments_json: '{"city":"mock"}', arguments: { city: 'mock' } },
    });
    expect(events[6]).toMatchObject({ finish_reason: 'tool_calls' });
  });

  it('tool-loop: first turn calls a tool; the second turn via --input-json quotes the tool output', async () => {
    const first = jsonLines(
      (await exec(['--mock', '--mock-mode', 'tool-loop', '--json', '-p', 'run it'])).stdout,
    );
    expect(types(first)).toEqual([
      'response_started',
      'tool_call_started',
      'tool_call_arguments_delta',
      'tool_call_arguments_delta',
      'tool_call_done',
      'usage',
      'response_completed',
    ]);
    const done = first[4];
    if (done?.type !== 'tool_call_done') throw new Error('expected tool_call_done');
    const input = [
      { role: 'user', content: 'run it' },
      {
        type: 'function_call',
        call_id: done.call_id,
        name: done.tool_call.name,
        arguments: done.tool_call.arguments_json,
      },
      { type: 'function_call_output', call_id: done.call_id, output: '{"temp":21}' },
    ];
    writeFileSync(join(dir.path, 'turn2.json'), JSON.stringify(input));
    const second = jsonLines(
      (await exec(['--mock', '--mock-mode', 'tool-loop', '--json', '--input-json', 'turn2.json'])).stdout,
    );
    expect(second.slice(1)).toEqual([
      { schema_version: 'v1', type: 'text_delta', delta: 'The ' },
      { schema_version: 'v1', type: 'text_delta', delta: 'tool ' },
      { schema_version: 'v1', type: 'text_delta', delta: 'returned: ' },
      { schema_version: 'v1', type: 'text_delta', delta: '{"temp":21}' },
      { schema_version: 'v1', type: 'usage', usage: expect.objectContaining({ output_tokens: 8 }) },
      { schema_version: 'v1', type: 'response_completed', finish_reason: 'stop', finish_reason_raw: 'stop' },
    ]);
    const inline = await exec(['--mock', '--mock-mode', 'tool-loop', '--input-json', JSON.stringify(input)]);
    expect(inline.stdout).toBe('The tool returned: {"temp":21}\n');
  });

  it('routes mock-* models without --mock, and takes the mode from config and env', async () => {
    expect((await exec(['--model', 'mock-text', '-p', 'x'])).stdout).toBe(`${MOCK_TEXT}\n`);
    expect((await exec(['--mock', '-p', 'x'], { NODEX_MOCK_MODE: 'text' })).stdout).toBe(`${MOCK_TEXT}\n`);
    writeFileSync(join(dir.path, 'c.yaml'), 'routing:\n  aliases:\n    quick: mock-tool-call\n');
    const aliased = captureIo(dir.path);
    expect(
      await runCli(
        ['--config', join(dir.path, 'c.yaml'), 'exec', '-m', 'quick', '--json', '-p', 'x'],
        aliased.io,
      ),
    ).toBe(0);
    expect(aliased.stdout()).toContain('"model":"mock-tool-call"');
  });
});

describe('nodex exec logs', () => {
  it('--log-requests writes the exact request (0600); --log-responses appends JSONL (0600)', async () => {
    await exec([
      '--mock',
      '--mock-mode',
      'text',
      '-p',
      'first',
      '--instructions',
      'Be terse.',
      '--log-requests',
      'req.json',
      '--log-responses',
      'res.jsonl',
    ]);
    await exec(['--mock', '--mock-mode', 'text', '-p', 'second', '--log-responses', 'res.jsonl']);
    const request = JSON.parse(readFileSync(join(dir.path, 'req.json'), 'utf8'));
    expect(request).toEqual({
      url: 'mock://mock/text',
      method: 'POST',
      headers: {},
      body: {
        model: 'mock',
        instructions: 'Be terse.',
        input: [{ type: 'message', role: 'user', content: [{ type: 'text', text: 'first' }] }],
      },
    });
    expect(statSync(join(dir.path, 'req.json')).mode & 0o777).toBe(0o600);
    const lines = jsonLines(readFileSync(join(dir.path, 'res.jsonl'), 'utf8'));
    expect(lines.filter((e) => e.type === 'response_started')).toHaveLength(2);
    expect(lines.filter((e) => e.type === 'response_completed')).toHaveLength(2);
    expect(statSync(join(dir.path, 'res.jsonl')).mode & 0o777).toBe(0o600);
  });
});

describe('nodex exec bad input', () => {
  const cases: Array<[string, string[], RegExp]> = [
    [
      '--input-json that is not an array',
      ['--mock', '--input-json', '{"role":"user"}'],
      /--input-json: expected a JSON array/,
    ],
    ['--input-json that is not JSON', ['--mock', '--input-json', '[oops'], /--input-json: not valid JSON/],
    [
      '--input-json naming a missing file',
      ['--mock', '--input-json', 'nope.json'],
      /--input-json: cannot read nope\.json: ENOENT/,
    ],
    [
      'an invalid item, by index',
      [
        '--mock',
        '--input-json',
        '[{"role":"user","content":"a"},{"type":"function_call_output","output":"x"}]',
      ],
      /--input-json\[1\]\.call_id: is required/,
    ],
    [
      'an unknown item type',
      ['--mock', '--input-json', '[{"type":"bogus"}]'],
      /--input-json\[0\]\.type: unknown item type "bogus"/,
    ],
    [
      'an unknown mock mode, listing the valid ones',
      ['--mock', '--mock-mode', 'loud', '-p', 'x'],
      /--mock-mode "loud": expected one of echo, text, tool-call, tool-loop/,
    ],
    ['no prompt', ['--mock'], /give a prompt/],
    [
      'a bad --tool',
      ['--mock', '-p', 'x', '--tool', 'just-a-name'],
      /--tool "just-a-name": expected web_search/,
    ],
    [
      'a --tool schema that is not an object',
      ['--mock', '-p', 'x', '--tool', 'f:inline=[1]'],
      /--tool f: the schema must be a JSON object/,
    ],
    ['a bad --tool-choice', ['--mock', '-p', 'x', '--tool-choice', 'sometimes'], /--tool-choice "sometimes"/],
    [
      '--tool-choice naming a tool not given',
      ['--mock', '-p', 'x', '--tool-choice', 'function:ghost'],
      /no --tool named "ghost"/,
    ],
    [
      'a bad --reasoning-effort',
      ['--mock', '-p', 'x', '--reasoning-effort', 'max'],
      /--reasoning-effort "max"/,
    ],
    [
      'an unknown model',
      ['-m', 'llama-9', '-p', 'x'],
      /no provider serves model "llama-9" \(model_not_found\)/,
    ],
    ['an unknown option', ['--mock', '--frobnicate'], /unknown option '--frobnicate'/],
  ];
  for (const [name, args, message] of cases) {
    it(`${name}: a clear message, exit 2, no stack trace`, async () => {
      const result = await exec(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stdout).toBe('');
    });
  }

  it('a config file with a type error: file, key path, expected type, exit 2', async () => {
    writeFileSync(join(dir.path, 'bad.yaml'), 'exec:\n  timeout: [1]\n');
    const captured = captureIo(dir.path);
    expect(
      await runCli(['--config', join(dir.path, 'bad.yaml'), 'exec', '--mock', '-p', 'x'], captured.io),
    ).toBe(2);
    expect(captured.stderr()).toBe(
      `error: ${join(dir.path, 'bad.yaml')}: exec.timeout: expected a duration such as 500ms, 90s, 5m, 1h\n`,
    );
  });

  it('a model whose provider is not set up: runtime failure, exit 1', async () => {
    const result = await exec(['-m', 'claude-sonnet-4-5', '-p', 'x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: model "claude-sonnet-4-5" routes to provider "anthropic": no Claude login or API key: run `nodex login claude` or set ANTHROPIC_API_KEY (provider_unavailable)\n',
    );
  });
});

describe('nodex exec runtime', () => {
  it('times out a stalled provider with exec.timeout and exits 1', async () => {
    writeFileSync(
      join(dir.path, 'slow.yaml'),
      'exec:\n  timeout: 50ms\nproviders:\n  mock:\n    first_event_delay_ms: 60s\n',
    );
    const captured = captureIo(dir.path);
    expect(
      await runCli(['--config', join(dir.path, 'slow.yaml'), 'exec', '-m', 'mock', '-p', 'x'], captured.io),
    ).toBe(1);
    expect(captured.stderr()).toMatch(/no answer within 50 ms \(exec\.timeout\) \(upstream_timeout\)/);
  });

  it('Ctrl-C cancels cleanly with exit 130', async () => {
    writeFileSync(join(dir.path, 'slow.yaml'), 'providers:\n  mock:\n    first_event_delay_ms: 60s\n');
    const controller = new AbortController();
    const captured = captureIo(dir.path, {}, controller.signal);
    setTimeout(() => controller.abort(), 30);
    expect(
      await runCli(['--config', join(dir.path, 'slow.yaml'), 'exec', '-m', 'mock', '-p', 'x'], captured.io),
    ).toBe(130);
    expect(captured.stderr()).toBe('');
  });
});
