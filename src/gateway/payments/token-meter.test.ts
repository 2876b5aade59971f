import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import { tempDir } from '../../testing/capture-io.js';
import { startFakeTokenMeter } from '../../testing/fake-token-meter.js';
import { startFakeUpstream } from '../../testing/fake-upstream.js';
import { TokenMeterClient } from './token-meter.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(url: string, timeoutMs = 2000): TokenMeterClient {
  const meter = new TokenMeterClient({ url, timeoutMs });
  cleanups.push(() => meter.close());
  return meter;
}

async function rejection(promise: Promise<unknown>): Promise<NodexError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!NodexError.isInstance(error)) throw new Error(`expected a NodexError, got ${String(error)}`);
  return error;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

const SECRET =
  'L402 c2VjcmV0LW1hY2Fyb29uLWNvbnRlbnRz:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

describe('TokenMeterClient', () => {
  it('gets a challenge over http: status, the two kept headers and the JSON body', async () => {
    const meter = await startFakeTokenMeter();
    cleanups.push(() => meter.close());
    const answer = await client(meter.url).challenge({
      purpose: 'issue_key',
      key_id: '',
      model: 'gpt-5.2-codex',
      auth_header: '',
    });
    expect(answer.status).toBe(402);
    expect(Object.keys(answer.headers).sort()).toEqual(['content-type', 'www-authenticate']);
    expect(answer.headers['www-authenticate']).toMatch(/^L402 macaroon="[A-Za-z0-9+/=]+", invoice="lnbc/);
    expect(answer.body).toMatchObject({ purpose: 'issue_key', key_id: '', amount_sats: 1000 });
    expect(meter.challenges).toMatchObject([{ purpose: 'issue_key', model: 'gpt-5.2-codex' }]);
  });

  it('speaks HTTP over a unix socket (unix:///path.sock)', async () => {
    const dir = tempDir('nodex-meter-');
    cleanups.push(() => dir.cleanup());
    const meter = await startFakeTokenMeter({ socketPath: join(dir.path, 'meter.sock') });
    cleanups.push(() => meter.close());
    expect(meter.unixUrl).toBe(`unix://${join(dir.path, 'meter.sock')}`);
    const meterClient = client(meter.unixUrl ?? '');
    const answer = await meterClient.challenge({
      purpose: 'topup',
      key_id: 'k1',
      model: 'm',
      auth_header: '',
    });
    expect(answer.status).toBe(402);
    expect(answer.body).toMatchObject({ purpose: 'topup', key_id: 'k1' });
    expect(await meterClient.pricing()).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('runs challenge → pay → redeem, and refuses a second redemption', async () => {
    const credited: unknown[] = [];
    const meter = await startFakeTokenMeter({
      tokens: 5000,
      onRedeem: async (purpose, keyId, tokens) => {
        credited.push([purpose, keyId, tokens]);
        return { key_id: 'k9', api_key: 'nk-k9-secret' };
      },
    });
    cleanups.push(() => meter.close());
    const meterClient = client(meter.url);
    const { body } = await meterClient.challenge({
      purpose: 'issue_key',
      key_id: '',
      model: 'm',
      auth_header: '',
    });
    const { invoice, macaroon } = body as { invoice: string; macaroon: string };
    const preimage = meter.pay(invoice);
    const redeemed = await meterClient.redeem(`L402 ${macaroon}:${preimage}`);
    expect(redeemed).toMatchObject({
      status: 200,
      body: { key_id: 'k9', api_key: 'nk-k9-secret', tokens: 5000 },
    });
    expect(credited).toEqual([['issue_key', '', 5000]]);
    expect((await meterClient.redeem(`L402 ${macaroon}:${preimage}`)).status).toBe(409);
    expect(credited).toHaveLength(1);
  });

  it('relays the pricing answer', async () => {
    const meter = await startFakeTokenMeter({ btcUsd: 50_000 });
    cleanups.push(() => meter.close());
    const pricing = await client(meter.url).pricing();
    expect(pricing.status).toBe(200);
    expect(pricing.body).toMatchObject({
      status: 'ok',
      btc_usd: 50_000,
      prices: { 'gpt-5.2-codex': { input_usd_per_1m: 1.75, output_usd_per_1m: 14, billing_mode: 'blended' } },
    });
  });

  it('keeps text bodies as text, empty ones as undefined, and drops other headers', async () => {
    const fake = await startFakeUpstream([
      {
        path: '/l402/challenge',
        reply: { status: 402, headers: { 'x-secret': 'no', 'www-authenticate': 'L402 x' } },
      },
      { path: '/l402/redeem', reply: { status: 401, body: 'bad credential' } },
    ]);
    cleanups.push(() => fake.close());
    const meterClient = client(`${fake.url}/`);
    const challenge = await meterClient.challenge({
      purpose: 'issue_key',
      key_id: '',
      model: 'm',
      auth_header: '',
    });
    expect(challenge).toEqual({ status: 402, headers: { 'www-authenticate': 'L402 x' }, body: undefined });
    expect((await meterClient.redeem(SECRET)).body).toBe('bad credential');
    expect(fake.requests[1]?.json).toEqual({ auth_header: SECRET });
  });

  it('honours a path prefix in an http URL', async () => {
    const fake = await startFakeUpstream([{ path: '/meter/v1/pricing', reply: { json: { status: 'ok' } } }]);
    cleanups.push(() => fake.close());
    expect(await client(`${fake.url}/meter`).pricing()).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('turns a stalled meter into upstream_timeout without the credential in the message', async () => {
    const fake = await startFakeUpstream([{ reply: { fault: { kind: 'stall-before' } } }]);
    cleanups.push(() => fake.close());
    const error = await rejection(client(fake.url, 150).redeem(SECRET));
    expect(error.code).toBe('upstream_timeout');
    expect(error.provider).toBe('token-meter');
    expect(error.message).toContain('did not answer within 150 ms');
    expect(`${error.message} ${String(error.cause)} ${JSON.stringify(error)}`).not.toMatch(
      /c2VjcmV0|0123456789abcdef/,
    );
  });

  it('turns an unreachable meter (tcp or socket) into upstream_connection', async () => {
    const tcp = await rejection(client(`http://127.0.0.1:${await closedPort()}`).redeem(SECRET));
    expect(tcp.code).toBe('upstream_connection');
    expect(tcp.message).toContain('ECONNREFUSED');
    expect(tcp.message).not.toContain('c2VjcmV0');
    const dir = tempDir('nodex-meter-');
    cleanups.push(() => dir.cleanup());
    const socket = await rejection(client(`unix://${join(dir.path, 'none.sock')}`).pricing());
    expect(socket.code).toBe('upstream_connection');
    expect(socket.message).toContain('none.sock');
  });

  it('rejects URLs it cannot use', () => {
    for (const url of ['ftp://x', 'not a url', 'unix://host/x.sock']) {
      expect(() => new TokenMeterClient({ url, timeoutMs: 1000 })).toThrow(
        expect.objectContaining({ code: 'config_invalid' }),
      );
    }
  });
});
