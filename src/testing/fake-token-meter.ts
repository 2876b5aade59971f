/**
 * A faithful fake of the token-meter, the external service that takes L402 (Lightning) payments
 * for a nodex gateway. godex's token-meter repository is unavailable (research/seeds-spec.md §A.8,
 * C.1 item 26), so this file DEFINES nodex's side of the contract; a real meter must speak it.
 *
 * - `POST /l402/challenge` `{purpose:'issue_key'|'topup', key_id, model, auth_header}` (key_id `''`
 *   for issue_key, required for topup) → 402, `WWW-Authenticate: L402 macaroon="<base64>",
 *   invoice="lnbc…"`, body `{invoice, macaroon, amount_sats, purpose, key_id}`. Bad body → 400.
 * - `POST /l402/redeem` `{auth_header:'L402 <macaroon>:<preimage hex>'}`: the macaroon carries the
 *   invoice's payment hash and the meter's signature; the preimage must hash (SHA-256) to it. A
 *   malformed credential, a forged macaroon or a wrong preimage → 401; an unpaid invoice → 402; a
 *   second redemption → 409. Then the meter credits the key through nodex's admin API (mint a key
 *   for issue_key, add tokens for topup) and answers 200 `{key_id, api_key?, tokens}`; when the
 *   admin call fails → 502 and the credential stays redeemable.
 * - `GET /v1/pricing` → 200 `{status:'ok', btc_usd, updated_at, prices:{<model>:{input_usd_per_1m,
 *   cached_input_usd_per_1m, output_usd_per_1m, billing_mode}}}`.
 * - Errors are `{error:{message}}`. The meter holds every payment secret; nodex holds none.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ChallengePurpose } from '../gateway/payments/token-meter.js';

export interface ModelPrice {
  readonly input_usd_per_1m: number;
  readonly cached_input_usd_per_1m: number;
  readonly output_usd_per_1m: number;
  readonly billing_mode: string;
}

/** What crediting a key produced: a new key's id and secret for issue_key, nothing for topup. */
export interface RedeemCredit {
  readonly key_id?: string;
  readonly api_key?: string;
}

export type OnRedeem = (purpose: ChallengePurpose, keyId: string, tokens: number) => Promise<RedeemCredit>;

export interface FakeTokenMeterOptions {
  /** Also listen on this unix socket. */
  readonly socketPath?: string;
  /** Credits the key (calls the nodex admin API in tests); default: a made-up key for issue_key. */
  readonly onRedeem?: OnRedeem;
  /** Tokens one paid challenge buys (default 100 000). */
  readonly tokens?: number;
  /** Invoice amount (default 1000 sats). */
  readonly amountSats?: number;
  readonly prices?: Readonly<Record<string, ModelPrice>>;
  readonly btcUsd?: number;
}

export interface RecordedChallenge {
  readonly purpose: ChallengePurpose;
  readonly key_id: string;
  readonly model: string;
  readonly auth_header: string;
  readonly invoice: string;
  readonly macaroon: string;
  readonly payment_hash: string;
}

export interface FakeTokenMeter {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `unix:///path.sock` when a socket path was given. */
  readonly unixUrl?: string;
  readonly challenges: RecordedChallenge[];
  readonly redemptions: Array<{
    readonly purpose: ChallengePurpose;
    readonly key_id: string;
    readonly tokens: number;
  }>;
  /** Marks an invoice paid and returns its preimage (64 hex), as a Lightning wallet would. */
  pay(invoice: string): string;
  close(): Promise<void>;
}

interface Invoice {
  readonly challenge: RecordedChallenge;
  readonly preimage: string;
  paid: boolean;
  redeemed: boolean;
}

type Answer = { readonly status: number; readonly body: unknown; readonly headers?: Record<string, string> };
const fail = (status: number, message: string): Answer => ({ status, body: { error: { message } } });
const sha256 = (hex: string) => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-5.2-codex': {
    input_usd_per_1m: 1.75,
    cached_input_usd_per_1m: 0.175,
    output_usd_per_1m: 14,
    billing_mode: 'blended',
  },
};

/**
 * Starts the fake token-meter on 127.0.0.1 (port 0) and, optionally, a unix socket.
 *
 * @example
 * const meter = await startFakeTokenMeter({ onRedeem: async () => ({ key_id: 'k1', api_key: 'nk-k1-s' }) });
 * const client = new TokenMeterClient({ url: meter.url, timeoutMs: 2000 });
 * const { body } = await client.challenge({ purpose: 'issue_key', key_id: '', model: 'm', auth_header: '' });
 * const preimage = meter.pay((body as { invoice: string }).invoice);
 */
export async function startFakeTokenMeter(options: FakeTokenMeterOptions = {}): Promise<FakeTokenMeter> {
  const rootKey = randomBytes(32);
  const tokens = options.tokens ?? 100_000;
  const amountSats = options.amountSats ?? 1000;
  const updatedAt = new Date().toISOString();
  const byInvoice = new Map<string, Invoice>();
  const byHash = new Map<string, Invoice>();
  const challenges: RecordedChallenge[] = [];
  const redemptions: FakeTokenMeter['redemptions'] = [];
  let minted = 0;
  const onRedeem: OnRedeem =
    options.onRedeem ??
    (async (purpose) => {
      if (purpose === 'topup') return {};
      minted += 1;
      return { key_id: `meter${minted}`, api_key: `nk-meter${minted}-${randomBytes(8).toString('hex')}` };
    });
  const sign = (fields: string) => createHmac('sha256', rootKey).update(fields).digest('hex');

  function challenge(input: Record<string, unknown>): Answer {
    const { purpose, key_id = '', model = '', auth_header = '' } = input;
    if (purpose !== 'issue_key' && purpose !== 'topup')
      return fail(400, 'purpose must be issue_key or topup');
    if (typeof key_id !== 'string' || typeof model !== 'string' || typeof auth_header !== 'string')
      return fail(400, 'key_id, model and auth_header must be strings');
    if (purpose === 'topup' && key_id === '') return fail(400, 'topup needs a key_id');
    const preimage = randomBytes(32).toString('hex');
    const payment_hash = sha256(preimage);
    const signed = { v: 1, id: randomBytes(16).toString('hex'), payment_hash, purpose, key_id };
    const sig = sign(JSON.stringify(signed));
    const macaroon = Buffer.from(JSON.stringify({ ...signed, sig })).toString('base64');
    const invoice = `lnbc${amountSats * 10}n1p${Array.from(randomBytes(52), (b) => BECH32[b % 32]).join('')}`;
    const recorded = { purpose, key_id, model, auth_header, invoice, macaroon, payment_hash } as const;
    challenges.push(recorded);
    const record: Invoice = { challenge: recorded, preimage, paid: false, redeemed: false };
    byInvoice.set(invoice, record);
    byHash.set(payment_hash, record);
    return {
      status: 402,
      headers: { 'www-authenticate': `L402 macaroon="${macaroon}", invoice="${invoice}"` },
      body: { invoice, macaroon, amount_sats: amountSats, purpose, key_id },
    };
  }

  async function redeem(input: Record<string, unknown>): Promise<Answer> {
    const match = /^L402\s+([A-Za-z0-9+/=]+):([0-9a-fA-F]{64})$/.exec(String(input.auth_header ?? '').trim());
    if (!match) return fail(401, 'expected auth_header "L402 <macaroon>:<preimage>"');
    const [, macaroon = '', preimage = ''] = match;
    let claims: Record<string, unknown>;
    try {
      claims = JSON.parse(Buffer.from(macaroon, 'base64').toString('utf8')) as Record<string, unknown>;
    } catch {
      return fail(401, 'invalid macaroon');
    }
    const { sig, ...signed } = claims;
    const expected = Buffer.from(sign(JSON.stringify(signed)), 'hex');
    const given = Buffer.from(typeof sig === 'string' ? sig : '', 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return fail(401, 'invalid macaroon');
    const record = byHash.get(String(signed.payment_hash));
    if (!record) return fail(401, 'invalid macaroon');
    if (sha256(preimage.toLowerCase()) !== record.challenge.payment_hash)
      return fail(401, 'preimage does not match the payment hash');
    if (!record.paid) return fail(402, 'invoice not paid');
    if (record.redeemed) return fail(409, 'already redeemed');
    record.redeemed = true;
    const { purpose, key_id: keyId } = record.challenge;
    try {
      const credit = await onRedeem(purpose, keyId, tokens);
      redemptions.push({ purpose, key_id: credit.key_id ?? keyId, tokens });
      return { status: 200, body: { ...credit, key_id: credit.key_id ?? keyId, tokens } };
    } catch (error) {
      record.redeemed = false;
      return fail(502, `crediting the key failed: ${(error as Error).message}`);
    }
  }

  async function route(req: IncomingMessage): Promise<Answer> {
    const path = new URL(req.url ?? '/', 'http://meter').pathname;
    if (req.method === 'GET' && path === '/v1/pricing') {
      const prices = options.prices ?? DEFAULT_PRICES;
      return {
        status: 200,
        body: { status: 'ok', btc_usd: options.btcUsd ?? 68840.9, updated_at: updatedAt, prices },
      };
    }
    if (req.method !== 'POST' || (path !== '/l402/challenge' && path !== '/l402/redeem'))
      return fail(404, `no route ${req.method} ${path}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let input: unknown;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return fail(400, 'body must be JSON');
    }
    if (typeof input !== 'object' || input === null) return fail(400, 'body must be a JSON object');
    const fields = input as Record<string, unknown>;
    return path === '/l402/challenge' ? challenge(fields) : redeem(fields);
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void route(req)
      .catch((error: unknown) => fail(500, `fake token-meter failed: ${(error as Error).message}`))
      .then((answer) => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.body));
      });
  };
  const tcp = createServer(handler).listen(0, '127.0.0.1');
  const servers: Server[] = [tcp];
  await once(tcp, 'listening');
  const address = tcp.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const { socketPath } = options;
  if (socketPath !== undefined) {
    rmSync(socketPath, { force: true });
    const unix = createServer(handler).listen(socketPath);
    servers.push(unix);
    await once(unix, 'listening').catch((error: unknown) => {
      tcp.close();
      throw error;
    });
  }
  return {
    url: `http://127.0.0.1:${port}`,
    ...(socketPath === undefined ? {} : { unixUrl: `unix://${socketPath}` }),
    challenges,
    redemptions,
    pay: (invoice) => {
      const record = byInvoice.get(invoice);
      if (!record) throw new Error(`fake token-meter: unknown invoice ${invoice}`);
      record.paid = true;
      return record.preimage;
    },
    close: async () => {
      for (const server of servers) server.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
