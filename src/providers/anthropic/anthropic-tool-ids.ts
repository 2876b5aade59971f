/** Anthropic's tool_use id rule (wire.md §7.3). */
export const ANTHROPIC_TOOL_ID = /^[a-zA-Z0-9_-]+$/;

/**
 * The call ids of one request: ids from other providers (`call.1`, `fc:abc`) are sanitized to
 * Anthropic's charset, kept distinct when two sanitize alike, and mapped back EXACTLY on the way
 * out, so a caller's call ids survive the round trip.
 *
 * @example
 * const ids = new AnthropicToolIds();
 * ids.toUpstream('call.1'); // 'call_1'
 * ids.original('call_1'); // 'call.1'
 */
export class AnthropicToolIds {
  readonly #up = new Map<string, string>();
  readonly #down = new Map<string, string>();
  #generated = 0;

  toUpstream(id: string): string {
    const known = this.#up.get(id);
    if (known !== undefined) return known;
    let candidate = id === '' ? `toolu_nodex_${++this.#generated}` : id.replace(/[^a-zA-Z0-9_-]/g, '_');
    for (let n = 2; this.#down.has(candidate); n++) candidate = `${candidate.replace(/_\d+$/, '')}_${n}`;
    this.#up.set(id, candidate);
    this.#down.set(candidate, id);
    return candidate;
  }

  /** The caller's id for an upstream id (unchanged when nodex did not rename it). */
  original(id: string): string {
    return this.#down.get(id) ?? id;
  }
}

/**
 * Tool names as sent upstream. Off by default; a prefix (opencode's `mcp_`, wire.md §4.4) is added
 * to every tool name in `tools` and history and stripped from the model's calls.
 *
 * @example
 * const names = new AnthropicToolNames('mcp_');
 * names.toUpstream('get_weather'); // 'mcp_get_weather'
 * names.original('mcp_get_weather'); // 'get_weather'
 */
export class AnthropicToolNames {
  constructor(readonly prefix = '') {}

  toUpstream(name: string): string {
    return `${this.prefix}${name}`;
  }

  original(name: string): string {
    return this.prefix && name.startsWith(this.prefix) ? name.slice(this.prefix.length) : name;
  }
}
