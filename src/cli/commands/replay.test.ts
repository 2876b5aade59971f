import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import { startTracedGateway, type TracedGateway } from '../../testing/traced-gateway.js';
import { runCli } from '../run-cli.js';

const WEATHER = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

let home: ReturnType<typeof tempDir>;
let t: TracedGateway;
let configPath: string;
beforeEach(async () => {
  home = tempDir();
  t = await startTracedGateway(home.path);
  configPath = join(home.path, 'config.yaml');
  writeFileSync(configPath, JSON.stringify({ server: { trace: { path: t.tracePath } } }));
});
afterEach(async () => {
  await t.close();
  home.cleanup();
});

/** Waits until the trace has `count` finished requests (it is written a turn or two later). */
async function traced(count: number): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (t.traceLines().filter((l) => l.phase === 'done').length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the trace never had ${count} finished requests`);
}

async function cli(args: string[], env: Record<string, string> = {}) {
  const io = captureIo(home.path, env);
  const code = await runCli(['--config', configPath, ...args], io.io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** A streamed tool call, then the tool's output sent back (not streamed): two traced requests. */
async function toolRoundTrip(): Promise<void> {
  const client = new OpenAI({ baseURL: `${t.gw.url}/v1`, apiKey: t.key, maxRetries: 0 });
  const tools = [{ type: 'function' as const, name: 'get_weather', parameters: WEATHER, strict: false }];
  t.upstream.queueToolCall();
  const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'Weather in Paris?' }];
  const first = await client.responses.stream({ model: 'gpt-5.5', input, tools }).finalResponse();
  const call = first.output.find((item) => item.type === 'function_call');
  input.push(...(first.output as OpenAI.Responses.ResponseInputItem[]), {
    type: 'function_call_output',
    call_id: call?.type === 'function_call' ? call.call_id : '',
    output: '21C and sunny',
  });
  await client.responses.create({ model: 'gpt-5.5', input, tools });
  await traced(2);
}

describe('nodex replay', () => {
  it('sends the latest request again: the upstream gets the same body, the answer goes to stdout', async () => {
    await toolRoundTrip();
    const payload = join(home.path, 'payload.json');
    const replayed = await cli(['replay', '--url', t.gw.url, '--save-payload', payload], {
      NODEX_API_KEY: t.key,
    });
    expect(replayed.stderr).toMatch(/^replayed req_\w+ as req_\w+\n$/);
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.stdout)).toMatchObject({ object: 'response', status: 'completed' });
    expect(replayed.stdout).toContain(t.upstream.afterTool('21C and sunny'));
    const bodies = t.upstream.bodies();
    expect(bodies).toHaveLength(3);
    expect(bodies[2]).toEqual(bodies[1]);
    expect(JSON.stringify(bodies[2])).toContain('21C and sunny');
    // The payload saved is the request the gateway received.
    const saved = JSON.parse(readFileSync(payload, 'utf8'));
    expect(saved).toMatchObject({ model: 'gpt-5.5', input: expect.any(Array) });
    expect(statSync(payload).mode & 0o777).toBe(0o600);
  });

  it('replays a streamed request by id, streaming the answer', async () => {
    await toolRoundTrip();
    const firstId = t.traceLines().find((l) => l.phase === 'request')?.request_id as string;
    const replayed = await cli(['replay', firstId, '--url', t.gw.url, '--key', t.key]);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain('event: response.completed');
    const bodies = t.upstream.bodies();
    expect(bodies[2]).toEqual(bodies[0]);
    // The replay is traced too, linked to the original.
    await traced(3);
    const again = t
      .traceLines()
      .filter((l) => l.phase === 'request')
      .at(-1);
    expect(again?.headers).toMatchObject({ 'x-nodex-replay-of': firstId, authorization: '***' });
  });

  it('--list shows the recent requests, newest first', async () => {
    await toolRoundTrip();
    const ids = t
      .traceLines()
      .filter((l) => l.phase === 'request')
      .map((l) => l.request_id as string);
    const listed = await cli(['replay', '--list', '5']);
    expect(listed.code).toBe(0);
    const rows = listed.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^REQUEST ID\s+TIME\s+ROUTE\s+MODEL\s+STATUS$/);
    expect(rows[1]).toMatch(new RegExp(`^${ids[1]}\\s+\\S+\\s+/v1/responses\\s+gpt-5.5\\s+200$`));
    expect(rows[2]).toContain(ids[0]);
  });

  it('says what is wrong: unknown id, no trace, a gateway that refuses the key', async () => {
    await toolRoundTrip();
    const unknown = await cli(['replay', 'req_nope', '--url', t.gw.url]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('request req_nope is not in');
    const refused = await cli(['replay', '--url', t.gw.url, '--key', 'nk-wrongwrongwr-nope']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the gateway answered 401');
    writeFileSync(configPath, JSON.stringify({ server: { trace: { path: join(home.path, 'none.jsonl') } } }));
    const empty = await cli(['replay']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no trace at');
  });
});
