import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NodexError } from '../core/errors.js';
import { streamEvent } from '../core/events.js';
import { MockProvider } from '../providers/mock/mock-provider.js';
import { MOCK_TEXT } from '../providers/mock/mock-script.js';
import { tempDir } from '../testing/capture-io.js';
import { ScriptedProvider, textTurn } from '../testing/scripted-provider.js';
import { ParameterValidationError, SDKRequestError } from './errors.js';
import { Nodex } from './nodex.js';
import type { NodexOptions } from './nodex-options.js';
import { jsonSchemaFormat } from './structured-output.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

function client(options: NodexOptions = {}): Nodex {
  return new Nodex({ env: { HOME: dir.path, NODEX_HOME: `${dir.path}/.nodex` }, ...options });
}

describe('responses.create (non-streaming)', () => {
  it('returns an OpenAI-shaped response with output_text, usage and nodex extras', async () => {
    const response = await client().responses.create({ model: 'mock-text', input: 'hi' });
    expect(response).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'mock-text',
      output_text: MOCK_TEXT,
      finish_reason: 'stop',
      provider: 'mock',
      error: null,
      incomplete_details: null,
      output_parsed: null,
      quota: null,
    });
    expect(response.output).toEqual([
      {
        type: 'message',
        id: expect.stringMatching(/^msg_/),
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: MOCK_TEXT, annotations: [], logprobs: [] }],
      },
    ]);
    expect(response.usage).toEqual({
      input_tokens: 1,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 19,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 20,
    });
    expect(response.request_id).toMatch(/^req_[0-9a-f]{24}$/);
  });

  it('decodes Responses input items, instructions and tools (flat and nested) into the canonical request', async () => {
    const provider = new ScriptedProvider([textTurn('ok')]);
    await client({ providers: [provider] }).responses.create({
      model: 'scripted-model',
      instructions: 'Be brief.',
      input: [
        { role: 'developer', content: 'dev' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'q' }] },
      ],
      tools: [
        { type: 'function', name: 'a', parameters: { type: 'object' } },
        { type: 'function', function: { name: 'b', description: 'B' } },
        { type: 'web_search' },
      ],
      tool_choice: { type: 'function', name: 'a' },
      reasoning: { effort: 'high', summary: 'auto' },
      temperature: 0.5,
    });
    expect(provider.requests[0]).toEqual({
      model: 'scripted-model',
      instructions: 'Be brief.',
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'text', text: 'dev' }] },
        { type: 'message', role: 'user', content: [{ type: 'text', text: 'q' }] },
      ],
      tools: [
        { type: 'function', name: 'a', parameters: { type: 'object' } },
        { type: 'function', name: 'b', description: 'B' },
        { type: 'builtin', name: 'web_search' },
      ],
      tool_choice: { type: 'function', name: 'a' },
      reasoning: { effort: 'high', summary: 'auto' },
      temperature: 0.5,
    });
    expect(provider.contexts[0]).toMatchObject({ maxRetries: 2, requestId: expect.stringMatching(/^req_/) });
  });

  it('routes with aliases from config and the default model', async () => {
    const configPath = `${dir.path}/c.yaml`;
    (await import('node:fs')).writeFileSync(
      configPath,
      'exec:\n  model: quick\nrouting:\n  aliases:\n    quick: mock-text\n',
    );
    const response = await client({ configPath }).responses.create({ input: 'x' });
    expect(response.model).toBe('mock-text');
  });
});

describe('responses.create (streaming)', () => {
  it('yields v1 events; finalResponse() after iteration; finalText() without iterating', async () => {
    const nodex = client();
    const stream = await nodex.responses.create({ model: 'mock-echo', input: 'one two', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['response_started', 'text_delta', 'text_delta', 'usage', 'response_completed']);
    expect((await stream.finalResponse()).output_text).toBe('one two');
    expect(await (await nodex.responses.stream({ model: 'mock-echo', input: 'again' })).finalText()).toBe(
      'again',
    );
  });

  it('a stream can be iterated only once', async () => {
    const stream = await client().responses.create({ model: 'mock-text', input: 'x', stream: true });
    for await (const _ of stream);
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/only once/);
  });

  it('leaving the loop early aborts the upstream', async () => {
    const provider = new ScriptedProvider([[...textTurn('a').slice(0, 2), { waitForAbort: true }]]);
    const stream = await client({ providers: [provider] }).responses.create({
      model: 'scripted-model',
      input: 'x',
      stream: true,
    });
    for await (const event of stream) if (event.type === 'text_delta') break;
    expect(provider.contexts[0]?.signal?.aborted).toBe(true);
    await expect(stream.finalResponse()).rejects.toMatchObject({ code: 'aborted' });
  });

  it('abort() cancels a paced stream; finalResponse rejects with aborted', async () => {
    const nodex = client({
      providers: [new MockProvider({ id: 'slow', mode: 'text', pacing: { deltaIntervalMs: 60_000 } })],
    });
    const stream = await nodex.responses.create({ model: 'slow', input: 'x', stream: true });
    setTimeout(() => stream.abort(), 20);
    await expect(stream.finalResponse()).rejects.toSatisfy(
      (e) => e instanceof SDKRequestError && e.code === 'aborted',
    );
  });
});

describe('errors', () => {
  it('failures before the first event reject create() with a typed SDKRequestError', async () => {
    const nodex = client();
    await expect(nodex.responses.create({ model: 'mock-nope', input: 'x' })).rejects.toSatisfy(
      (e) => e instanceof SDKRequestError && e.code === 'model_not_found' && e.statusCode === 404,
    );
    await expect(nodex.responses.create({ model: 'llama-9', input: 'x' })).rejects.toMatchObject({
      code: 'model_not_found',
    });
    const failing = new ScriptedProvider([
      [
        {
          throw: new NodexError('upstream_usage_limit', 'limit reached', {
            providerCode: 'usage_limit_reached',
            retryAfterMs: 5000,
          }),
        },
      ],
    ]);
    const error = await client({ providers: [failing] })
      .responses.create({ model: 'scripted-model', input: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SDKRequestError);
    expect(error).toMatchObject({
      statusCode: 429,
      providerCode: 'usage_limit_reached',
      retryable: false,
      retryAfterMs: 5000,
      userMessage: 'limit reached',
    });
    expect(String(error)).toBe('HTTP 429: usage_limit_reached: limit reached');
  });

  it('an error event mid-stream makes finalResponse reject with its code', async () => {
    const provider = new ScriptedProvider([
      [
        ...textTurn('part').slice(0, 2),
        streamEvent('error', {
          error: 'Overloaded',
          code: 'upstream_overloaded',
          status: 529,
          retryable: true,
        }),
      ],
    ]);
    await expect(
      client({ providers: [provider] }).responses.create({ model: 'scripted-model', input: 'x' }),
    ).rejects.toMatchObject({ code: 'upstream_overloaded', statusCode: 529 });
  });

  it('a timeout ends the call with upstream_timeout', async () => {
    const provider = new ScriptedProvider([[...textTurn('a').slice(0, 1), { waitForAbort: true }]]);
    await expect(
      client({ providers: [provider], timeout: 30 }).responses.create({
        model: 'scripted-model',
        input: 'x',
      }),
    ).rejects.toMatchObject({ code: 'upstream_timeout' });
  });
});

describe('validation and store behaviour', () => {
  it('warn (default): invalid and unknown parameters are dropped and reported', async () => {
    const provider = new ScriptedProvider([textTurn('ok')]);
    const response = await client({ providers: [provider] }).responses.create({
      model: 'scripted-model',
      input: 'x',
      temperature: 7,
      top_p: 'high' as never,
      frobnicate: 1,
      service_tier: 'flex',
    });
    expect(provider.requests[0]?.temperature).toBeUndefined();
    expect(response.warnings.map((w) => w.details.split(':')[0])).toEqual([
      'unsupported_parameter',
      'out_of_range_temperature',
      'invalid_top_p',
      'service_tier_ignored',
    ]);
  });

  it('error: the first issue throws a ParameterValidationError; ignore: silent; per-call override', async () => {
    const nodex = client({
      validationMode: 'error',
      providers: [new ScriptedProvider([textTurn('ok'), textTurn('ok')])],
    });
    await expect(
      nodex.responses.create({ model: 'scripted-model', input: 'x', temperature: 9 }),
    ).rejects.toSatisfy(
      (e) =>
        e instanceof ParameterValidationError &&
        e.issueCode === 'out_of_range_temperature' &&
        e.param === 'temperature',
    );
    const quiet = await nodex.responses.create(
      { model: 'scripted-model', input: 'x', temperature: 9 },
      { validationMode: 'ignore' },
    );
    expect(quiet.warnings).toEqual([]);
  });

  it('a malformed reasoning object throws in every mode', async () => {
    await expect(
      client({ validationMode: 'ignore' }).responses.create({
        model: 'mock',
        input: 'x',
        reasoning: 'high' as never,
      }),
    ).rejects.toBeInstanceOf(ParameterValidationError);
  });

  it('error mode also rejects parameters the model cannot take, before sending', async () => {
    const routed = client({
      validationMode: 'error',
      providers: [new ScriptedProvider([], 'mock', 'scripted', { temperature: false })],
    });
    await expect(
      routed.responses.create({ model: 'mock', input: 'x', temperature: 1 }),
    ).rejects.toMatchObject({ code: 'unsupported_parameter', param: 'temperature' });
  });

  it('store: true on a Codex-kind provider: auto_disable warns, error throws', async () => {
    const codexLike = () => new ScriptedProvider([textTurn('ok')], 'codex', 'codex');
    const warned = await client({ providers: [codexLike()] }).responses.create({
      model: 'gpt-5.5',
      input: 'x',
      store: true,
    });
    expect(warned.warnings.map((w) => w.details)).toEqual([expect.stringMatching(/^store_auto_disabled:/)]);
    await expect(
      client({ storeBehavior: 'error', providers: [codexLike()] }).responses.create({
        model: 'gpt-5.5',
        input: 'x',
        store: true,
      }),
    ).rejects.toMatchObject({ param: 'store' });
  });
});

describe('structured output', () => {
  const Weather = z.object({ city: z.string(), temp: z.number(), note: z.string().optional() });

  it('jsonSchemaFormat sends a strict schema and returns the validated, typed output_parsed', async () => {
    const provider = new ScriptedProvider([textTurn(['{"city":"Paris",', '"temp":21,"note":null}'])]);
    const response = await client({ providers: [provider] }).responses.create({
      model: 'scripted-model',
      input: 'x',
      text: { format: jsonSchemaFormat(Weather, 'weather') },
    });
    expect(response.output_parsed).toEqual({ city: 'Paris', temp: 21 });
    const parsed: { city: string; temp: number } | null = response.output_parsed;
    expect(parsed?.temp).toBe(21);
    expect(provider.requests[0]?.text?.format).toEqual({
      type: 'json_schema',
      name: 'weather',
      strict: true,
      schema: {
        type: 'object',
        properties: {
          city: { type: 'string' },
          temp: { type: 'number' },
          note: { type: ['string', 'null'] },
        },
        required: ['city', 'temp', 'note'],
        additionalProperties: false,
      },
    });
  });

  it('plain json_schema and json_object formats parse JSON; invalid output rejects', async () => {
    const provider = new ScriptedProvider([textTurn('{"a":1}'), textTurn('not json')]);
    const nodex = client({ providers: [provider] });
    const format = { type: 'json_schema' as const, name: 'x', schema: { type: 'object' } };
    expect(
      (await nodex.responses.create({ model: 'scripted-model', input: 'x', text: { format } })).output_parsed,
    ).toEqual({ a: 1 });
    await expect(
      nodex.responses.create({
        model: 'scripted-model',
        input: 'x',
        text: { format: { type: 'json_object' } },
      }),
    ).rejects.toThrow(SyntaxError);
  });
});

describe('hooks', () => {
  it('onRequestStart / onRequestEnd with usage; onError on failure; a throwing hook is ignored', async () => {
    const seen: string[] = [];
    const nodex = client({
      hooks: {
        onRequestStart: (i) => {
          seen.push(`start ${i.model} ${i.provider} ${i.stream}`);
          throw new Error('hook bug');
        },
        onRequestEnd: (i) => seen.push(`end ${i.status} ${i.usage?.total_tokens}`),
        onError: (i) => seen.push(`error ${i.error.code}`),
      },
    });
    await nodex.responses.create({ model: 'mock-text', input: 'hi' });
    await nodex.responses.create({ model: 'mock-nope', input: 'hi' }).catch(() => undefined);
    expect(seen).toEqual([
      'start mock-text mock false',
      'end completed 20',
      'start mock-nope mock false',
      'error model_not_found',
    ]);
  });
});
