import { expect } from 'vitest';
import { type ContractFixture, runProviderContract } from '../../testing/provider-contract.js';
import { MockProvider } from './mock-provider.js';
import { MOCK_TEXT } from './mock-script.js';

const NO_UPSTREAM = 'the mock provider has no upstream that could fail, throttle or send unknown events';

/** The mock answers by mode (its model name), not by a scripted upstream. */
runProviderContract({
  name: 'mock',
  model: 'mock',
  expect: { text: MOCK_TEXT, toolArguments: { city: 'mock' } },
  notApplicable: {
    parallel_tool_calls: 'the mock calls exactly one tool per turn (the first offered)',
    reasoning_round_trip: 'the mock produces no reasoning and needs nothing back verbatim',
    incomplete: 'the mock always completes its fixed answers',
    rate_limited: NO_UPSTREAM,
    server_error_then_ok: NO_UPSTREAM,
    overloaded: NO_UPSTREAM,
    stream_error: NO_UPSTREAM,
    unknown_event: NO_UPSTREAM,
  },
  async start(): Promise<ContractFixture> {
    const requests: unknown[] = [];
    let mode: 'text' | 'tool-call' = 'text';
    const provider = {
      id: 'mock',
      kind: 'mock',
      stream: (
        request: Parameters<MockProvider['stream']>[0],
        context: Parameters<MockProvider['stream']>[1] = {},
      ) =>
        new MockProvider({ mode, pacing: { deltaIntervalMs: mode === 'text' ? 5 : 0 } }).stream(request, {
          ...context,
          onUpstreamRequest: (r) => requests.push(r.body),
        }),
      listModels: () => new MockProvider().listModels(),
      capabilities: () => new MockProvider().capabilities(),
    };
    return {
      provider,
      prepare: (scenario) => {
        mode = scenario === 'tool_call' ? 'tool-call' : 'text';
      },
      upstreamBodies: () => requests,
      assertRequests: (_scenario, bodies) => {
        // The mock's "upstream request" is the canonical request itself.
        expect(bodies[0]).toMatchObject({ model: 'mock', instructions: 'Be brief.' });
      },
      close: async () => undefined,
    };
  },
});
