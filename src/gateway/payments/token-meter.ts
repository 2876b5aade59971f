import { Agent, errors, request } from 'undici';
import { NodexError } from '../../core/errors.js';

/**
 * The client side of nodex's contract with the external token-meter service (L402 payments). The
 * contract itself — paths, bodies, statuses — is written down in src/testing/fake-token-meter.ts.
 * The meter holds every payment secret; nodex only relays challenges and redemptions.
 */

export interface TokenMeterOptions {
  /** `http(s)://host:port[/prefix]` or `unix:///path/to/meter.sock`. */
  readonly url: string;
  /** The most one call may take, connecting and reading the whole answer included. */
  readonly timeoutMs: number;
}

export type ChallengePurpose = 'issue_key' | 'topup';

/** The body of `POST /l402/challenge`. */
export interface ChallengeInput {
  readonly purpose: ChallengePurpose;
  /** The key to top up; `''` when a new key is to be issued. */
  readonly key_id: string;
  readonly model: string;
  /** The caller's raw Authorization header, or `''`. */
  readonly auth_header: string;
}

/**
 * A meter answer to relay: its status, only `www-authenticate` and `content-type` of its headers,
 * and its body — the parsed JSON value, the text when it is not JSON, `undefined` when empty.
 */
export interface MeterAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

const KEPT_HEADERS = ['www-authenticate', 'content-type'] as const;
const BODY_LIMIT = 1024 * 1024;

interface Target {
  readonly origin: string;
  readonly prefix: string;
  readonly socketPath?: string;
  /** Where the meter is, for error messages (no credentials, no paths). */
  readonly display: string;
}

function parseTarget(url: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new NodexError('config_invalid', 'payments.token_meter_url is not a URL');
  }
  if (parsed.protocol === 'unix:') {
    const socketPath = decodeURIComponent(parsed.pathname);
    if (parsed.host !== '' || socketPath === '/')
      throw new NodexError('config_invalid', 'payments.token_meter_url: expected unix:///path/to/meter.sock');
    return { origin: 'http://localhost', prefix: '', socketPath, display: `unix://${socketPath}` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new NodexError('config_invalid', 'payments.token_meter_url must be http://, https:// or unix://');
  return { origin: parsed.origin, prefix: parsed.pathname.replace(/\/+$/, ''), display: parsed.origin };
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Talks to the token-meter over HTTP or a unix socket, with one keep-alive connection pool. Every
 * method resolves with the meter's answer whatever its status; transport failures reject with a
 * NodexError (`upstream_timeout` or `upstream_connection`, provider `token-meter`) whose message
 * names the meter but never carries the Authorization header or the request body.
 *
 * @example
 * const meter = new TokenMeterClient({ url: 'unix:///run/token-meter.sock', timeoutMs: 5000 });
 * const answer = await meter.challenge({ purpose: 'issue_key', key_id: '', model: 'gpt-5', auth_header: '' });
 * // { status: 402, headers: { 'www-authenticate': 'L402 macaroon="…", invoice="lnbc…"', … }, body: { invoice, … } }
 * await meter.close();
 */
export class TokenMeterClient {
  readonly #target: Target;
  readonly #timeoutMs: number;
  readonly #agent: Agent;

  constructor(options: TokenMeterOptions) {
    this.#target = parseTarget(options.url);
    this.#timeoutMs = options.timeoutMs;
    const timeout = options.timeoutMs;
    this.#agent = new Agent({
      ...(this.#target.socketPath === undefined ? {} : { socketPath: this.#target.socketPath }),
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connect: { timeout },
      keepAliveTimeout: 30_000,
    });
  }

  /** Asks the meter for an L402 challenge (`POST /l402/challenge`); normally a 402 answer. */
  challenge(input: ChallengeInput): Promise<MeterAnswer> {
    return this.#call('POST', '/l402/challenge', input);
  }

  /** Relays `Authorization: L402 <macaroon>:<preimage>` to the meter (`POST /l402/redeem`). */
  redeem(authHeader: string): Promise<MeterAnswer> {
    return this.#call('POST', '/l402/redeem', { auth_header: authHeader });
  }

  /** The meter's price list (`GET /v1/pricing`). */
  async pricing(): Promise<{ readonly status: number; readonly body: unknown }> {
    const answer = await this.#call('GET', '/v1/pricing');
    return { status: answer.status, body: answer.body };
  }

  /** Closes the connection pool. */
  close(): Promise<void> {
    return this.#agent.close();
  }

  async #call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<MeterAnswer> {
    const deadline = AbortSignal.timeout(this.#timeoutMs);
    try {
      const response = await request(`${this.#target.origin}${this.#target.prefix}${path}`, {
        method,
        dispatcher: this.#agent,
        signal: deadline,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        const buffer = chunk as Buffer;
        if (size < BODY_LIMIT) chunks.push(buffer.subarray(0, BODY_LIMIT - size));
        size += buffer.length;
      }
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const value = response.headers[name];
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      return {
        status: response.statusCode,
        headers,
        body: parseBody(Buffer.concat(chunks).toString('utf8')),
      };
    } catch (error) {
      throw this.#transportError(error, deadline.aborted);
    }
  }

  /** A message built from the error's kind and code only: undici never echoes headers, and we don't. */
  #transportError(error: unknown, timedOut: boolean): NodexError {
    const where = this.#target.display;
    if (
      timedOut ||
      error instanceof errors.HeadersTimeoutError ||
      error instanceof errors.BodyTimeoutError ||
      error instanceof errors.ConnectTimeoutError
    ) {
      return new NodexError(
        'upstream_timeout',
        `token-meter at ${where} did not answer within ${this.#timeoutMs} ms`,
        {
          provider: 'token-meter',
        },
      );
    }
    const code = (error as { code?: unknown }).code;
    const reason = typeof code === 'string' && code !== '' ? code : 'connection failed';
    return new NodexError('upstream_connection', `token-meter at ${where} cannot be reached (${reason})`, {
      provider: 'token-meter',
    });
  }
}
