import type { StreamEvent } from '../core/events.js';
import { streamEvent } from '../core/events.js';
import type { ModelCapabilities, ModelInfo, Provider, ProviderCallContext } from '../core/provider.js';
import type { CanonicalRequest } from '../core/request.js';
import { makeUsage } from '../core/usage.js';

export type Step = StreamEvent | { readonly throw: Error } | { readonly waitForAbort: true };

const ALL: ModelCapabilities = {
  streaming: true,
  tools: true,
  parallel_tool_calls: true,
  images: true,
  reasoning: true,
  json_schema: true,
  temperature: true,
  max_output_tokens: true,
};

/**
 * A test provider that answers each call with the next scripted sequence of steps (events, a
 * thrown error, or a wait until the caller aborts) and records what it was asked and with which
 * context.
 *
 * @example
 * const provider = new ScriptedProvider([textTurn('hello')]);
 */
export class ScriptedProvider implements Provider {
  readonly requests: CanonicalRequest[] = [];
  readonly contexts: ProviderCallContext[] = [];
  readonly #turns: Step[][];

  constructor(
    turns: Step[][],
    readonly id = 'scripted',
    readonly kind = 'scripted',
    readonly caps: Partial<ModelCapabilities> = {},
  ) {
    this.#turns = [...turns];
  }

  async *stream(request: CanonicalRequest, context: ProviderCallContext = {}): AsyncGenerator<StreamEvent> {
    this.requests.push(request);
    this.contexts.push(context);
    const turn = this.#turns.shift();
    if (!turn) throw new Error(`scripted provider: no turn left for call ${this.requests.length}`);
    for (const step of turn) {
      if ('throw' in step) throw step.throw;
      if ('waitForAbort' in step) {
        await new Promise<void>((resolve) => {
          if (context.signal?.aborted) resolve();
          context.signal?.addEventListener('abort', () => resolve(), { once: true });
        });
        return;
      }
      if (context.signal?.aborted) return;
      yield step;
    }
  }

  async listModels(): Promise<readonly ModelInfo[]> {
    return [{ id: 'scripted-model', provider: this.id }];
  }

  capabilities(): ModelCapabilities {
    return { ...ALL, ...this.caps };
  }
}

/** A complete text turn: started, one delta per piece, usage, completed. */
export function textTurn(text: string | string[], id = 'resp_scripted'): StreamEvent[] {
  const pieces = Array.isArray(text) ? text : [text];
  return [
    streamEvent('response_started', { response_id: id, model: 'scripted-model', created_at: 1_700_000_000 }),
    ...pieces.map((delta) => streamEvent('text_delta', { delta })),
    streamEvent('usage', { usage: makeUsage({ input_tokens: 5, output_tokens: pieces.length }) }),
    streamEvent('response_completed', { finish_reason: 'stop', finish_reason_raw: 'stop' }),
  ];
}
