import { afterEach, describe, expect, it } from 'vitest';
import { StaticTokenSource } from '../../auth/token-source.js';
import type { StreamEvent } from '../../core/events.js';
import type { ProviderCallContext, UpstreamRequestRecord } from '../../core/provider.js';
import type { CanonicalRequest, FunctionTool } from '../../core/request.js';
import { userText } from '../../core/request.js';
import { collectWarnings, type Warning } from '../../core/warnings.js';
import {
  codexSseFrames,
  type FakeCodex,
  type FakeCodexOptions,
  sentHeaders,
  startFakeCodex,
} from '../../testing/fake-codex.js';
import { fixtureEvents, fixtureJson } from '../../testing/fixtures.js';
import { shortenCodexName } from './codex-names.js';
import { CodexProvider, type CodexProviderOptions } from './codex-provider.js';

const TOKEN = { accessToken: 'tok-live-123', accountId: 'acc-6f2c1a7e' };
const UA = 'codex_cli_rs/0.144.1 (Test OS 1.0; x86_64) nodex';
const FAST = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 60_000 };

/** The headers every request carries (lower-cased, as the fake records them). */
const HEADERS = {
  authorization: 'Bearer tok-live-123',
  'chatgpt-account-id': 'acc-6f2c1a7e',
  originator: 'codex_cli_rs',
  'user-agent': UA,
  version: '0.144.1',
  accept: 'text/event-stream',
  'content-type': 'application/json',
};

const HI: CanonicalRequest = { model: 'gpt-5.5', input: [userText('hi')] };
const HI_BODY = {
  model: 'gpt-5.5',
  instructions: '',
  input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
  reasoning: { effort: 'medium', summary: 'auto' },
  store: false,
  stream: true,
  include: ['reasoning.encrypted_content'],
};

const SHELL: FunctionTool = fixtureJson<{ body: { tools: FunctionTool[] } }>('codex-request.json').body
  .tools[0] as FunctionTool;

let fake: FakeCodex | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(options: FakeCodexOptions = {}, provider: Partial<CodexProviderOptions> = {}) {
  fake = await startFakeCodex({ quotaHeaders: false, ...options });
  const codex = new CodexProvider({
    baseUrl: fake.baseUrl,
    tokenSource: new StaticTokenSource(TOKEN),
    userAgent: UA,
    retryPolicy: FAST,
    ...provider,
  });
  return { fake, codex };
}

async function run(codex: CodexProvider, request: CanonicalRequest, context: ProviderCallContext = {}) {
  const { warnings, sink } = collectWarnings();
  const logged: UpstreamRequestRecord[] = [];
  const events: StreamEvent[] = [];
  const ctx = {
    onWarning: sink,
    onUpstreamRequest: (r: UpstreamRequestRecord) => logged.push(r),
    ...context,
  };
  for await (const event of codex.stream(request, ctx)) events.push(event);
  return { events, warnings: warnings as Warning[], logged };
}

describe('CodexProvider: fixtures through the fake backend (events and the exact request)', () => {
  it('text: codex-text.sse → exactly codex-text.events.jsonl', async () => {
    const { fake, codex } = await setup({ reply: { sse: { fixture: 'codex-text.sse' } } });
    const request: CanonicalRequest = {
      ...HI,
      instructions: 'You are a helpful assistant.',
      prompt_cache_key: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    };
    const { events, warnings, logged } = await run(codex, request);
    expect(events).toEqual(fixtureEvents('codex-text.events.jsonl'));
    expect(warnings).toEqual([]);
    const body = {
      ...HI_BODY,
      instructions: 'You are a helpful assistant.',
      prompt_cache_key: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    };
    expect(fake.responses()).toHaveLength(1);
    expect(fake.responses()[0]?.json).toEqual(body);
    expect(sentHeaders(fake.responses()[0])).toEqual({
      ...HEADERS,
      session_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    });
    // Logged once per attempt, secrets redacted, same body.
    expect(logged).toEqual([
      {
        url: `${fake.baseUrl}/responses`,
        method: 'POST',
        headers: {
          Authorization: 'Bearer [REDACTED]',
          'ChatGPT-Account-ID': '[REDACTED]',
          originator: 'codex_cli_rs',
          'User-Agent': UA,
          version: '0.144.1',
          session_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
          Accept: 'text/event-stream',
          'Content-Type': 'application/json',
        },
        body,
      },
    ]);
    expect(JSON.stringify(logged)).not.toContain(TOKEN.accessToken);
  });

  it('tool call: rebuilt although completed.output is [] → exactly codex-tool-call.events.jsonl', async () => {
    const { fake, codex } = await setup({ reply: { sse: { fixture: 'codex-tool-call.sse' } } });
    const request: CanonicalRequest = {
      ...HI,
      tools: [SHELL],
      tool_choice: 'auto',
      parallel_tool_calls: true,
    };
    const { events } = await run(codex, request);
    expect(events).toEqual(fixtureEvents('codex-tool-call.events.jsonl'));
    expect(fake.responses()[0]?.json).toEqual({
      ...HI_BODY,
      tools: [SHELL],
      tool_choice: 'auto',
      parallel_tool_calls: true,
    });
    expect(sentHeaders(fake.responses()[0])).toEqual(HEADERS);
  });

  it('parallel tool calls: interleaved deltas keyed by item id, a name that arrives late', async () => {
    const { fake, codex } = await setup({ reply: { sse: { fixture: 'codex-parallel-tool-calls.sse' } } });
    const weather: FunctionTool = {
      type: 'function',
      name: 'get_weather',
      parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } } },
    };
    const { events } = await run(codex, { ...HI, tools: [weather] });
    expect(events).toEqual(fixtureEvents('codex-parallel-tool-calls.events.jsonl'));
    expect(fake.responses()[0]?.json).toEqual({ ...HI_BODY, tools: [{ ...weather, strict: false }] });
    expect(sentHeaders(fake.responses()[0])).toEqual(HEADERS);
  });

  it('reasoning summary: two summary parts, reasoning_done with encrypted_content', async () => {
    const { fake, codex } = await setup({ reply: { sse: { fixture: 'codex-reasoning-summary.sse' } } });
    const { events } = await run(codex, { ...HI, reasoning: { effort: 'high', summary: 'detailed' } });
    expect(events).toEqual(fixtureEvents('codex-reasoning-summary.events.jsonl'));
    expect(fake.responses()[0]?.json).toEqual({
      ...HI_BODY,
      reasoning: { effort: 'high', summary: 'detailed' },
    });
    expect(sentHeaders(fake.responses()[0])).toEqual(HEADERS);
  });

  it('incomplete: finish length; max_output_tokens is removed with a warning, not sent', async () => {
    const { fake, codex } = await setup({ reply: { sse: { fixture: 'codex-incomplete.sse' } } });
    const { events, warnings } = await run(codex, { ...HI, max_output_tokens: 16 });
    expect(events).toEqual(fixtureEvents('codex-incomplete.events.jsonl'));
    expect(warnings).toEqual([
      {
        feature: 'max_output_tokens',
        details: 'codex rejects max_output_tokens (400 Unsupported parameter); dropped',
      },
    ]);
    expect(fake.responses()[0]?.json).toEqual(HI_BODY);
    expect(sentHeaders(fake.responses()[0])).toEqual(HEADERS);
  });

  it.each([
    ['response.failed after content', 'codex-failed'],
    ['nested error event (usage limit)', 'codex-stream-error'],
    ['flat error event (rate limit)', 'codex-stream-error-flat'],
  ])('%s → an error event ends the stream (no retry after content)', async (_label, name) => {
    const { fake, codex } = await setup({ reply: { sse: { fixture: `${name}.sse` } } });
    const { events } = await run(codex, HI);
    expect(events).toEqual(fixtureEvents(`${name}.events.jsonl`));
    expect(fake.responses()).toHaveLength(1);
    expect(fake.responses()[0]?.json).toEqual(HI_BODY);
    expect(sentHeaders(fake.responses()[0])).toEqual(HEADERS);
  });

  it('x-codex-* response headers become the quota on response_started', async () => {
    const { fake, codex } = await setup({ quotaHeaders: undefined });
    const { events } = await run(codex, HI);
    expect(events[0]).toEqual({
      ...fixtureEvents<StreamEvent>('codex-text.events.jsonl')[0],
      quota: {
        provider: 'codex',
        plan_type: 'plus',
        active_limit: 'premium',
        primary: { used_percent: 23.5, window_minutes: 300, resets_at: 1767240000 },
        secondary: { used_percent: 8, window_minutes: 10080, resets_at: 1767657600 },
        credits: { has_credits: false, unlimited: false, balance: '0' },
      },
    });
    expect(events.slice(1)).toEqual(fixtureEvents('codex-text.events.jsonl').slice(1));
    expect(fake.responses()[0]?.json).toEqual(HI_BODY);
    expect(sentHeaders(fake.responses()[0])).toEqual(HEADERS);
  });

  it('an unknown event type is skipped with one warning and the stream goes on', async () => {
    const response = { id: 'resp_u', model: 'gpt-5.5', created_at: 1 };
    const frames = codexSseFrames([
      { type: 'response.created', response },
      { type: 'response.future_feature', payload: { x: 1 } },
      { type: 'response.output_text.delta', item_id: 'msg_u', delta: 'still here' },
      {
        type: 'response.completed',
        response: { ...response, output: [], usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 } },
      },
    ]);
    const { fake, codex } = await setup({ reply: { sse: frames } });
    const { events, warnings } = await run(codex, HI);
    expect(events).toEqual([
      {
        schema_version: 'v1',
        type: 'response_started',
        response_id: 'resp_u',
        model: 'gpt-5.5',
        created_at: 1,
      },
      { schema_version: 'v1', type: 'text_delta', delta: 'still here' },
      expect.objectContaining({
        type: 'usage',
        usage: expect.objectContaining({ input_tokens: 3, total_tokens: 5 }),
      }),
      {
        schema_version: 'v1',
        type: 'response_completed',
        finish_reason: 'stop',
        finish_reason_raw: 'completed',
      },
    ]);
    expect(warnings).toEqual([
      { feature: 'upstream.event', details: 'codex: skipped unknown event type "response.future_feature"' },
    ]);
    expect(fake.responses()[0]?.json).toEqual(HI_BODY);
    expect(sentHeaders(fake.responses()[0])).toEqual(HEADERS);
  });
});

describe('CodexProvider: request conversion against the fake backend', () => {
  it('system→developer, ids stripped, rejected params warned, reasoning replay, long names shortened and mapped back, json_schema', async () => {
    const longName = `lookup_customer_record_in_the_enterprise_resource_planning_${'x'.repeat(20)}`;
    const longCall = `call_${'k'.repeat(70)}`;
    const shortName = shortenCodexName(longName);
    const shortCall = shortenCodexName(longCall);
    // The model answers by calling the (shortened) tool: nodex must hand back the original name.
    const reply = () => {
      const item = {
        id: 'fc_9',
        type: 'function_call',
        call_id: 'call_new',
        name: shortName,
        arguments: '{}',
      };
      return {
        sse: codexSseFrames([
          { type: 'response.created', response: { id: 'resp_c', model: 'gpt-5.5', created_at: 2 } },
          { type: 'response.output_item.added', output_index: 0, item: { ...item, arguments: '' } },
          { type: 'response.output_item.done', output_index: 0, item },
          { type: 'response.completed', response: { id: 'resp_c', output: [], usage: null } },
        ]),
      };
    };
    const { fake, codex } = await setup({ reply }, { instructions: 'default instructions' });
    const schema = {
      type: 'object',
      properties: { ok: { type: 'boolean' } },
      required: ['ok'],
      additionalProperties: false,
    };
    const request: CanonicalRequest = {
      model: 'gpt-5.5',
      input: [
        { type: 'message', role: 'system', content: [{ type: 'text', text: 'Be terse.' }], id: 'msg_sys' },
        {
          type: 'message',
          role: 'user',
          id: 'msg_u1',
          content: [
            { type: 'text', text: 'Look up ACME' },
            { type: 'image', image_url: 'data:image/png;base64,iVBORw0KGgo=' },
          ],
        },
        { type: 'reasoning', id: 'rs_1', summary: ['Thinking about ACME'], encrypted_content: 'gAAAA-enc' },
        { type: 'reasoning', id: 'rs_2', summary: ['no encrypted content'] },
        { type: 'function_call', id: 'fc_1', call_id: longCall, name: longName, arguments: '{"q":"ACME"}' },
        { type: 'function_call_output', call_id: longCall, output: [{ type: 'text', text: 'found' }] },
        { type: 'message', role: 'assistant', id: 'msg_a', content: [{ type: 'text', text: 'Found it.' }] },
        userText('Answer as JSON'),
      ],
      tools: [
        {
          type: 'function',
          name: longName,
          description: 'Looks up a record.',
          parameters: schema,
          strict: true,
        },
      ],
      tool_choice: { type: 'function', name: longName },
      reasoning: { effort: 'minimal' },
      text: { format: { type: 'json_schema', name: 'answer', schema } },
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      user: 'u-1',
      metadata: { trace: 't' },
    };
    const { events, warnings } = await run(codex, request);
    expect(fake.responses()[0]?.json).toEqual({
      model: 'gpt-5.5',
      instructions: 'default instructions',
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Be terse.' }] },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Look up ACME' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' },
          ],
        },
        {
          type: 'reasoning',
          summary: [{ type: 'summary_text', text: 'Thinking about ACME' }],
          encrypted_content: 'gAAAA-enc',
        },
        { type: 'function_call', call_id: shortCall, name: shortName, arguments: '{"q":"ACME"}' },
        { type: 'function_call_output', call_id: shortCall, output: [{ type: 'input_text', text: 'found' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Found it.' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Answer as JSON' }] },
      ],
      tools: [
        {
          type: 'function',
          name: shortName,
          description: 'Looks up a record.',
          strict: true,
          parameters: schema,
        },
      ],
      tool_choice: { type: 'function', name: shortName },
      reasoning: { effort: 'low', summary: 'auto' },
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
      text: { format: { type: 'json_schema', name: 'answer', schema, strict: true } },
    });
    expect(sentHeaders(fake.responses()[0])).toEqual(HEADERS);
    expect(shortName).toHaveLength(64);
    expect(shortCall).toHaveLength(64);
    expect(warnings.map((w) => w.feature)).toEqual([
      'temperature',
      'top_p',
      'stop',
      'user',
      'metadata',
      'input.reasoning',
      'reasoning.effort',
    ]);
    expect(events.slice(1, 2)).toEqual([
      { schema_version: 'v1', type: 'tool_call_started', call_id: 'call_new', name: longName },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'response_completed', finish_reason: 'tool_calls' });
  });
});
