import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import type { ModelCapabilities, ModelInfo, Provider, ProviderCallContext } from '../../core/provider.js';
import type { CanonicalRequest } from '../../core/request.js';
import { MOCK_MODES, type MockMode, mockModels, modeForModel } from './mock-models.js';
import { type MockShape, mockEvents } from './mock-script.js';

export interface MockPacing extends MockShape {
  /** Delay before the first event. */
  readonly firstEventDelayMs?: number;
  /** Delay between consecutive delta events. */
  readonly deltaIntervalMs?: number;
}

export interface MockProviderOptions {
  readonly id?: string;
  /** The mode for models that do not name one (`mock`, or anything routed here by `exec --mock`). */
  readonly mode?: MockMode;
  readonly pacing?: MockPacing;
}

const CAPABILITIES: ModelCapabilities = {
  streaming: true,
  tools: true,
  parallel_tool_calls: true,
  images: true,
  reasoning: false,
  json_schema: true,
  temperature: true,
  max_output_tokens: true,
  context_window: 128_000,
  output_limit: 16_384,
};

function responseIdFor(request: CanonicalRequest, mode: MockMode): string {
  const digest = createHash('sha256')
    .update(
      JSON.stringify([mode, request.model, request.instructions ?? '', request.input, request.tools ?? []]),
    )
    .digest('hex');
  return `resp_mock_${digest.slice(0, 24)}`;
}

function isDelta(event: StreamEvent | undefined): boolean {
  return event?.type === 'text_delta' || event?.type === 'tool_call_arguments_delta';
}

/**
 * A deterministic, network-free provider: `echo` repeats the last user text, `text` streams a fixed
 * answer, `tool-call` calls the first offered tool with schema-valid arguments, `tool-loop` calls a
 * tool and then answers with the tool's output. Usage is counted at one token per four characters.
 *
 * @example
 * const mock = new MockProvider({ mode: 'text', pacing: { deltaIntervalMs: 5 } });
 * for await (const event of mock.stream({ model: 'mock', input: [userText('hi')] })) console.log(event);
 */
export class MockProvider implements Provider {
  readonly id: string;
  readonly kind = 'mock';
  readonly #mode: MockMode;
  readonly #pacing: MockPacing;

  constructor(options: MockProviderOptions = {}) {
    this.id = options.id ?? 'mock';
    this.#mode = options.mode ?? 'echo';
    this.#pacing = options.pacing ?? {};
  }

  async *stream(request: CanonicalRequest, context: ProviderCallContext = {}): AsyncGenerator<StreamEvent> {
    const mode = this.#modeFor(request.model);
    context.onUpstreamRequest?.({
      url: `mock://${this.id}/${mode}`,
      method: 'POST',
      headers: {},
      body: request,
    });
    const events = mockEvents(request, mode, responseIdFor(request, mode), this.#pacing);
    const { signal } = context;
    const { firstEventDelayMs = 0, deltaIntervalMs = 0 } = this.#pacing;
    try {
      if (firstEventDelayMs > 0) await sleep(firstEventDelayMs, undefined, { signal });
      for (let i = 0; i < events.length; i++) {
        if (signal?.aborted) return;
        const event = events[i] as StreamEvent;
        yield event;
        if (deltaIntervalMs > 0 && isDelta(event) && isDelta(events[i + 1]))
          await sleep(deltaIntervalMs, undefined, { signal });
      }
    } catch (error) {
      // An abort while pacing ends the stream quietly: the caller is gone.
      if (signal?.aborted) return;
      throw error;
    }
  }

  async listModels(): Promise<readonly ModelInfo[]> {
    return mockModels(this.id);
  }

  capabilities(): ModelCapabilities {
    return CAPABILITIES;
  }

  #modeFor(model: string): MockMode {
    const named = modeForModel(model);
    if (named) return named;
    if (model.startsWith('mock-')) {
      throw new NodexError(
        'model_not_found',
        `unknown mock model "${model}"; use mock or mock-{${MOCK_MODES.join(',')}}`,
        {
          param: 'model',
          provider: this.id,
        },
      );
    }
    return this.#mode;
  }
}
