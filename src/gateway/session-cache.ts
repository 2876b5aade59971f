import type { IncomingHttpHeaders } from 'node:http';
import type { CanonicalRequest, FunctionCallItem, InputItem } from '../core/request.js';
import type { WarningSink } from '../core/warnings.js';

interface Session {
  lastSeen: number;
  instructions?: string;
  /** Recent tool calls by call_id, to complete orphaned outputs. */
  calls: Map<string, FunctionCallItem>;
}

export interface SessionCacheOptions {
  readonly ttlMs: number;
  readonly maxSessions?: number;
  readonly maxCallsPerSession?: number;
  readonly now?: () => number;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

/**
 * Per-session memory for Responses clients (seeds-spec §A.11–A.12): the instructions of the last
 * request (reused when a client omits them) and recent tool calls (to complete a
 * `function_call_output` whose call the client did not resend, and to give a resent call back the
 * provider data it had, such as Gemini's thought signature). Sessions are scoped by API key,
 * expire after `ttlMs` without use, and the oldest go first beyond `maxSessions`.
 */
export class SessionCache {
  readonly #sessions = new Map<string, Session>();
  readonly #options: SessionCacheOptions;

  constructor(options: SessionCacheOptions) {
    this.#options = options;
  }

  /** The session a request belongs to: its `user`, a session header, else the client address. */
  static keyFor(
    keyId: string,
    headers: IncomingHttpHeaders,
    user: string | undefined,
    address: string | undefined,
  ): string {
    const session =
      user ??
      header(headers, 'session_id') ??
      header(headers, 'session-id') ??
      header(headers, 'x-session-id') ??
      address ??
      'anonymous';
    return `${keyId}\u0000${session}`;
  }

  /**
   * Fills in what the client left out: instructions from the session when the request has none
   * (and remembers them when it has), and the call of every orphaned `function_call_output` from
   * the session's recent calls — or drops the output with a warning when the call is unknown
   * (upstreams reject unpaired outputs).
   */
  repair(key: string, request: CanonicalRequest, onWarning: WarningSink): CanonicalRequest {
    const session = this.#touch(key);
    let instructions = request.instructions;
    if (instructions) session.instructions = instructions;
    else if (session.instructions) instructions = session.instructions;
    const seen = new Set<string>();
    const input: InputItem[] = [];
    for (const raw of request.input) {
      let item = raw;
      if (item.type === 'function_call') {
        seen.add(item.call_id);
        // Data the upstream needs back (a Gemini thought signature) has no field in a Responses
        // function_call item; restore it from the call this session was given.
        const known = session.calls.get(item.call_id);
        if (!item.provider_data && known?.provider_data)
          item = { ...item, provider_data: known.provider_data };
      }
      if (item.type === 'function_call_output' && !seen.has(item.call_id)) {
        const call = session.calls.get(item.call_id);
        if (!call) {
          onWarning({
            feature: 'input.function_call_output',
            details: `dropped the output of call ${item.call_id}: its function_call is neither in the input nor in this session's recent calls`,
          });
          continue;
        }
        input.push(call);
        seen.add(item.call_id);
      }
      input.push(item);
    }
    return { ...request, input, ...(instructions === undefined ? {} : { instructions }) };
  }

  /** Remembers the calls a response made, for the session's next requests. */
  rememberCalls(key: string, calls: readonly FunctionCallItem[]): void {
    if (calls.length === 0) return;
    const session = this.#touch(key);
    for (const call of calls) {
      session.calls.delete(call.call_id);
      session.calls.set(call.call_id, call);
    }
    const max = this.#options.maxCallsPerSession ?? 500;
    for (const id of session.calls.keys()) {
      if (session.calls.size <= max) break;
      session.calls.delete(id);
    }
  }

  get size(): number {
    return this.#sessions.size;
  }

  #touch(key: string): Session {
    const now = (this.#options.now ?? Date.now)();
    let session = this.#sessions.get(key);
    if (session && now - session.lastSeen > this.#options.ttlMs) session = undefined;
    session ??= { lastSeen: now, calls: new Map() };
    session.lastSeen = now;
    // Re-insert: Map order is then least recently used first.
    this.#sessions.delete(key);
    this.#sessions.set(key, session);
    const max = this.#options.maxSessions ?? 10_000;
    for (const oldest of this.#sessions.keys()) {
      if (this.#sessions.size <= max) break;
      this.#sessions.delete(oldest);
    }
    return session;
  }
}
