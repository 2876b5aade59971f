import type { InputItem } from '../core/request.js';
import type { OutputItem } from '../core/response.js';

interface Turn {
  readonly previous?: string;
  readonly input: readonly InputItem[];
  readonly output: readonly OutputItem[];
  lastSeen: number;
}

export interface ResponseHistoryOptions {
  readonly ttlMs: number;
  readonly maxTurns?: number;
  /** Longest chain `chain()` follows (a guard against cycles and runaway histories). */
  readonly maxDepth?: number;
  readonly now?: () => number;
}

/**
 * `previous_response_id` for `/v1/responses` over upstreams that keep no state (Codex is
 * `store:false`, the others never had it): each stored turn keeps only its own input and output
 * plus a link to the turn before, and `chain()` replays the whole conversation. Turns are scoped by
 * API key (one key cannot continue another's conversation), expire `ttlMs` after last use, and the
 * least recently used go first beyond `maxTurns`. In memory, per process.
 *
 * @example
 * history.save('key_1', 'resp_2', { previous: 'resp_1', input: [userText('and?')], output });
 * history.chain('key_1', 'resp_2'); // turn 1's input and output, then turn 2's
 */
export class ResponseHistory {
  readonly #turns = new Map<string, Turn>();
  readonly #options: ResponseHistoryOptions;

  constructor(options: ResponseHistoryOptions) {
    this.#options = options;
  }

  save(
    keyId: string,
    responseId: string,
    turn: {
      readonly previous?: string;
      readonly input: readonly InputItem[];
      readonly output: readonly OutputItem[];
    },
  ): void {
    const id = `${keyId}\u0000${responseId}`;
    this.#turns.delete(id);
    this.#turns.set(id, { ...turn, lastSeen: this.#now() });
    const max = this.#options.maxTurns ?? 20_000;
    for (const oldest of this.#turns.keys()) {
      if (this.#turns.size <= max) break;
      this.#turns.delete(oldest);
    }
  }

  /** The input that continues `responseId`: every turn's input and output, oldest first; undefined if unknown. */
  chain(keyId: string, responseId: string): InputItem[] | undefined {
    const turns: Turn[] = [];
    const maxDepth = this.#options.maxDepth ?? 1000;
    let next: string | undefined = responseId;
    while (next !== undefined && turns.length < maxDepth) {
      const turn = this.#get(`${keyId}\u0000${next}`);
      // A missing link anywhere means the conversation cannot be rebuilt faithfully.
      if (!turn) return undefined;
      turns.push(turn);
      next = turn.previous;
    }
    return turns.reverse().flatMap((turn) => [...turn.input, ...turn.output]);
  }

  get size(): number {
    return this.#turns.size;
  }

  /** How long an unused turn is kept. */
  get ttlMs(): number {
    return this.#options.ttlMs;
  }

  #get(id: string): Turn | undefined {
    const turn = this.#turns.get(id);
    if (!turn) return undefined;
    const now = this.#now();
    if (now - turn.lastSeen > this.#options.ttlMs) {
      this.#turns.delete(id);
      return undefined;
    }
    turn.lastSeen = now;
    return turn;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}
