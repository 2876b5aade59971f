import { describe, expect, it } from 'vitest';
import { accumulate } from '../core/accumulate.js';
import { NodexError } from '../core/errors.js';
import type { StreamEvent } from '../core/events.js';
import type { Provider, ProviderCallContext } from '../core/provider.js';
import type { CanonicalRequest, FunctionTool, InputItem } from '../core/request.js';
import { userText } from '../core/request.js';
import type { Warning } from '../core/warnings.js';

/** The scenarios every provider is held to (issue 4, "one provider contract suite"). */
export const CONTRACT_SCENARIOS = [
  'text',
  'tool_call',
  'parallel_tool_calls',
  'reasoning_round_trip',
  'incomplete',
  'rate_limited',
  'server_error_then_ok',
  'overloaded',
  'stream_error',
  'unknown_event',
  'abort',
] as const;

export type ContractScenario = (typeof CONTRACT_SCENARIOS)[number];

/** The one set of tools every scenario offers. */
export const CONTRACT_TOOLS: readonly FunctionTool[] = [
  {
    type: 'function',
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
  {
    type: 'function',
    name: 'get_time',
    description: 'Time in a zone',
    parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] },
  },
];

/**
 * What every fake must answer, in its own wire format, so the canonical result is the same for
 * every provider. The opaque value is what the provider needs back verbatim (Codex
 * `encrypted_content`, an Anthropic thinking `signature`, a Gemini `thought_signature`).
 */
export const CONTRACT = {
  text: ['Hello', ' from the fake.'],
  usage: { input_tokens: 10, output_tokens: 5 },
  call: { name: 'get_weather', arguments: { city: 'Paris' } },
  parallel: [
    { name: 'get_weather', arguments: { city: 'Paris' } },
    { name: 'get_time', arguments: { zone: 'Asia/Tokyo' } },
  ],
  reasoning: { text: 'Thinking it over.', opaque: 'opaque-contract-0001' },
  /** The text sent before an in-stream error (stream_error scenario). */
  partial: 'Partial',
} as const;

export interface ContractFixture {
  readonly provider: Provider;
  /** Queues the upstream's answer(s) for a scenario, in the provider's own wire format. */
  prepare(scenario: ContractScenario): void;
  /** The upstream request bodies received since the fixture started (JSON), oldest first. */
  upstreamBodies(): unknown[];
  /**
   * Asserts the exact upstream request(s) of a scenario (body and headers), in the provider's own
   * wire format: the half of the contract only the provider's harness can state.
   */
  assertRequests(scenario: ContractScenario, bodies: readonly unknown[]): void;
  close(): Promise<void>;
}

export interface ContractHarness {
  /** Shown in the test names (`codex`, `anthropic (OAuth)`, …). */
  readonly name: string;
  readonly model: string;
  /** Scenarios this provider cannot express at all (the mock has no upstream to fail). */
  readonly notApplicable?: Partial<Record<ContractScenario, string>>;
  /** What the provider answers instead of CONTRACT (the mock's fixed texts). */
  readonly expect?: { readonly text?: string; readonly toolArguments?: Readonly<Record<string, unknown>> };
  start(): Promise<ContractFixture>;
}

async function collect(
  provider: Provider,
  request: CanonicalRequest,
  context: ProviderCallContext = {},
): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of provider.stream(request, context)) events.push(event);
  return events;
}

function base(model: string, extra: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return { model, instructions: 'Be brief.', input: [userText('Say hello')], ...extra };
}

function text(events: readonly StreamEvent[]): string {
  return events.flatMap((e) => (e.type === 'text_delta' ? [e.delta] : [])).join('');
}

function firstError(promise: Promise<unknown>): Promise<NodexError> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail before its first event');
    },
    (error: unknown) => {
      if (!NodexError.isInstance(error)) throw error;
      return error;
    },
  );
}

/**
 * Registers the contract suite for one provider. Every scenario asserts the canonical events (the
 * same expectations for every provider) and hands the upstream requests to the harness for the
 * exact wire check.
 *
 * @example
 * runProviderContract({ name: 'codex', model: 'gpt-5.5', start: async () => codexFixture() });
 */
export function runProviderContract(harness: ContractHarness): void {
  const expectedText = harness.expect?.text ?? CONTRACT.text.join('');
  const expectedArgs = harness.expect?.toolArguments ?? CONTRACT.call.arguments;
  const applicable = (scenario: ContractScenario) => !harness.notApplicable?.[scenario];
  const scenario = (name: ContractScenario, body: (fixture: ContractFixture) => Promise<void>) => {
    if (!applicable(name)) return;
    it(name, async () => {
      const fixture = await harness.start();
      try {
        await body(fixture);
      } finally {
        await fixture.close();
      }
    });
  };

  describe(`provider contract: ${harness.name}`, () => {
    it('declares why any scenario does not apply', () => {
      for (const [name, why] of Object.entries(harness.notApplicable ?? {})) {
        expect(CONTRACT_SCENARIOS).toContain(name);
        expect(why?.length ?? 0).toBeGreaterThan(10);
      }
    });

    scenario('text', async (fixture) => {
      fixture.prepare('text');
      const events = await collect(fixture.provider, base(harness.model));
      expect(events[0]).toMatchObject({
        schema_version: 'v1',
        type: 'response_started',
        response_id: expect.any(String),
      });
      expect(events.at(-1)).toMatchObject({ type: 'response_completed', finish_reason: 'stop' });
      expect(text(events)).toBe(expectedText);
      // The last usage event is the total (Anthropic also reports the input at the start).
      const usage = events.findLast((e) => e.type === 'usage');
      expect(usage?.type === 'usage' && usage.usage.input_tokens).toBeGreaterThan(0);
      expect(usage?.type === 'usage' && usage.usage.output_tokens).toBeGreaterThan(0);
      if (!harness.expect?.text) expect(usage).toMatchObject({ usage: CONTRACT.usage });
      expect(events.filter((e) => e.type === 'error')).toEqual([]);
      fixture.assertRequests('text', fixture.upstreamBodies());
    });

    scenario('tool_call', async (fixture) => {
      fixture.prepare('tool_call');
      const events = await collect(
        fixture.provider,
        base(harness.model, { tools: CONTRACT_TOOLS.slice(0, 1), tool_choice: 'auto' }),
      );
      const done = events.filter((e) => e.type === 'tool_call_done');
      expect(done).toHaveLength(1);
      expect(done[0]).toMatchObject({ tool_call: { name: 'get_weather', arguments: expectedArgs } });
      const started = events.findIndex((e) => e.type === 'tool_call_started');
      expect(started).toBeGreaterThan(0);
      expect(started).toBeLessThan(events.indexOf(done[0] as StreamEvent));
      expect(events.at(-1)).toMatchObject({ type: 'response_completed', finish_reason: 'tool_calls' });
      fixture.assertRequests('tool_call', fixture.upstreamBodies());
    });

    scenario('parallel_tool_calls', async (fixture) => {
      fixture.prepare('parallel_tool_calls');
      const events = await collect(
        fixture.provider,
        base(harness.model, { tools: CONTRACT_TOOLS, parallel_tool_calls: true }),
      );
      const calls = accumulate(events).output.filter((item) => item.type === 'function_call');
      expect(calls.map((c) => (c.type === 'function_call' ? [c.name, JSON.parse(c.arguments)] : []))).toEqual(
        CONTRACT.parallel.map((c) => [c.name, c.arguments]),
      );
      expect(new Set(calls.map((c) => (c.type === 'function_call' ? c.call_id : ''))).size).toBe(2);
      fixture.assertRequests('parallel_tool_calls', fixture.upstreamBodies());
    });

    scenario('reasoning_round_trip', async (fixture) => {
      fixture.prepare('reasoning_round_trip');
      const first = accumulate(
        await collect(
          fixture.provider,
          base(harness.model, {
            tools: CONTRACT_TOOLS.slice(0, 1),
            reasoning: { effort: 'high', summary: 'auto' },
          }),
        ),
      );
      expect(first.status).toBe('completed');
      expect(JSON.stringify(first.output)).toContain(CONTRACT.reasoning.opaque);
      const call = first.output.find((item) => item.type === 'function_call');
      expect(call).toBeDefined();
      const followUp: InputItem[] = [
        userText('Say hello'),
        ...first.output,
        {
          type: 'function_call_output',
          call_id: (call as { call_id: string }).call_id,
          output: '{"temp":21}',
        },
      ];
      const second = await collect(
        fixture.provider,
        base(harness.model, {
          tools: CONTRACT_TOOLS.slice(0, 1),
          input: followUp,
          reasoning: { effort: 'high' },
        }),
      );
      expect(text(second)).toBe(expectedText);
      const bodies = fixture.upstreamBodies();
      expect(bodies).toHaveLength(2);
      // The opaque value goes back upstream intact, where the provider needs it.
      expect(JSON.stringify(bodies[1])).toContain(CONTRACT.reasoning.opaque);
      fixture.assertRequests('reasoning_round_trip', bodies);
    });

    scenario('incomplete', async (fixture) => {
      fixture.prepare('incomplete');
      const response = accumulate(await collect(fixture.provider, base(harness.model)));
      expect(response).toMatchObject({ status: 'incomplete', finish_reason: 'length' });
      expect(response.output_text.length).toBeGreaterThan(0);
      fixture.assertRequests('incomplete', fixture.upstreamBodies());
    });

    scenario('rate_limited', async (fixture) => {
      fixture.prepare('rate_limited');
      const error = await firstError(collect(fixture.provider, base(harness.model), { maxRetries: 0 }));
      expect(error.status).toBe(429);
      expect(['upstream_rate_limited', 'upstream_usage_limit']).toContain(error.code);
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.message).not.toMatch(/Bearer|sk-|eyJ/);
      fixture.assertRequests('rate_limited', fixture.upstreamBodies());
    });

    scenario('server_error_then_ok', async (fixture) => {
      fixture.prepare('server_error_then_ok');
      const events = await collect(fixture.provider, base(harness.model), { maxRetries: 2 });
      expect(text(events)).toBe(expectedText);
      expect(fixture.upstreamBodies()).toHaveLength(2);
      fixture.assertRequests('server_error_then_ok', fixture.upstreamBodies());
    });

    scenario('overloaded', async (fixture) => {
      fixture.prepare('overloaded');
      const error = await firstError(collect(fixture.provider, base(harness.model), { maxRetries: 0 }));
      expect(error.retryable).toBe(true);
      expect(['upstream_overloaded', 'upstream_error', 'upstream_rate_limited']).toContain(error.code);
      fixture.assertRequests('overloaded', fixture.upstreamBodies());
    });

    scenario('stream_error', async (fixture) => {
      fixture.prepare('stream_error');
      const events = await collect(fixture.provider, base(harness.model));
      expect(text(events)).toBe(CONTRACT.partial);
      const last = events.at(-1);
      expect(last?.type).toBe('error');
      expect(events.filter((e) => e.type === 'response_completed')).toEqual([]);
      fixture.assertRequests('stream_error', fixture.upstreamBodies());
    });

    scenario('unknown_event', async (fixture) => {
      fixture.prepare('unknown_event');
      const warnings: Warning[] = [];
      const events = await collect(fixture.provider, base(harness.model), {
        onWarning: (w) => warnings.push(w),
      });
      expect(text(events)).toBe(expectedText);
      expect(events.at(-1)).toMatchObject({ type: 'response_completed' });
      expect(warnings.length).toBeGreaterThan(0);
      fixture.assertRequests('unknown_event', fixture.upstreamBodies());
    });

    scenario('abort', async (fixture) => {
      fixture.prepare('abort');
      const controller = new AbortController();
      const events: StreamEvent[] = [];
      for await (const event of fixture.provider.stream(base(harness.model), { signal: controller.signal })) {
        events.push(event);
        if (event.type === 'text_delta') controller.abort();
      }
      expect(events.filter((e) => e.type === 'error' || e.type === 'response_completed')).toEqual([]);
      expect(events.some((e) => e.type === 'text_delta')).toBe(true);
      fixture.assertRequests('abort', fixture.upstreamBodies());
    });
  });
}
