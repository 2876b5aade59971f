import { afterEach, describe, expect, it } from 'vitest';
import { startFakeTokenMeter } from '../../testing/fake-token-meter.js';
import { deadUrl, startFakeUpstream } from '../../testing/fake-upstream.js';
import { createTokenMeter, isL402, paymentChallenge, pricingAnswer, redeemL402 } from './payments.js';
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

const PAYMENT_REQUIRED = {
  error: { message: 'payment required', type: 'insufficient_quota', code: 'payment_required' },
};

describe('isL402', () => {
  it('recognises the L402 scheme only', () => {
    expect(isL402('L402 mac:pre')).toBe(true);
    expect(isL402('l402 mac:pre')).toBe(true);
    expect(isL402('  L402 mac:pre')).toBe(true);
    expect(isL402('Bearer nk-a-b')).toBe(false);
    expect(isL402('L402x mac:pre')).toBe(false);
    expect(isL402(undefined)).toBe(false);
    expect(isL402('')).toBe(false);
  });
});

describe('createTokenMeter', () => {
  it('is off unless enabled with a non-blank URL', () => {
    expect(
      createTokenMeter({ enabled: false, token_meter_url: 'http://127.0.0.1:1', timeout: 1000 }),
    ).toBeUndefined();
    expect(createTokenMeter({ enabled: true, token_meter_url: '  ', timeout: 1000 })).toBeUndefined();
    expect(createTokenMeter({ enabled: true, timeout: 1000 })).toBeUndefined();
    const meter = createTokenMeter({ enabled: true, token_meter_url: 'unix:///tmp/m.sock', timeout: 1000 });
    expect(meter).toBeInstanceOf(TokenMeterClient);
    cleanups.push(() => meter?.close());
  });
});

describe('paymentChallenge', () => {
  it("relays the meter's 402 with WWW-Authenticate and its JSON body", async () => {
    const meter = await startFakeTokenMeter();
    cleanups.push(() => meter.close());
    const answer = await paymentChallenge(client(meter.url), {
      purpose: 'topup',
      keyId: 'k1',
      model: 'gpt-5.2-codex',
      authHeader: 'Bearer nk-k1-s',
    });
    const [recorded] = meter.challenges;
    expect(recorded).toMatchObject({
      purpose: 'topup',
      key_id: 'k1',
      model: 'gpt-5.2-codex',
      auth_header: 'Bearer nk-k1-s',
    });
    expect(answer.status).toBe(402);
    expect(answer.headers).toEqual({
      'www-authenticate': `L402 macaroon="${recorded?.macaroon}", invoice="${recorded?.invoice}"`,
      'content-type': 'application/json',
    });
    expect(answer.body).toEqual({
      invoice: recorded?.invoice,
      macaroon: recorded?.macaroon,
      amount_sats: 1000,
      purpose: 'topup',
      key_id: 'k1',
    });
    expect(answer.error).toBeUndefined();
  });

  it('sends an empty auth_header when there is none', async () => {
    const meter = await startFakeTokenMeter();
    cleanups.push(() => meter.close());
    await paymentChallenge(client(meter.url), { purpose: 'issue_key', keyId: '', model: 'm' });
    expect(meter.challenges[0]?.auth_header).toBe('');
  });

  it('turns an empty meter body into an OpenAI-shaped payment_required error, keeping the header', async () => {
    const fake = await startFakeUpstream([
      { reply: { status: 402, headers: { 'www-authenticate': 'L402 token="abc"' } } },
    ]);
    cleanups.push(() => fake.close());
    const answer = await paymentChallenge(client(fake.url), { purpose: 'issue_key', keyId: '', model: 'm' });
    expect(answer.status).toBe(402);
    expect(answer.headers['www-authenticate']).toBe('L402 token="abc"');
    expect(answer.body).toMatchObject(PAYMENT_REQUIRED);
    expect(answer.error?.code).toBe('payment_required');
  });

  it('answers 402 with the transport error when the meter is down, never echoing the credential', async () => {
    const authHeader = 'Bearer nk-k1-verysecretvalue';
    const answer = await paymentChallenge(client(await deadUrl()), {
      purpose: 'topup',
      keyId: 'k1',
      model: 'm',
      authHeader,
    });
    expect(answer.status).toBe(402);
    expect(answer.body).toMatchObject({ error: { type: 'insufficient_quota', code: 'payment_required' } });
    expect(JSON.stringify(answer.body)).toContain('cannot be reached');
    expect(JSON.stringify(answer)).not.toContain('verysecretvalue');
  });
});

describe('redeemL402', () => {
  it('relays a successful redemption, then refuses the same credential', async () => {
    const meter = await startFakeTokenMeter({ onRedeem: async () => ({ key_id: 'k2', api_key: 'nk-k2-s' }) });
    cleanups.push(() => meter.close());
    const meterClient = client(meter.url);
    const challenge = await paymentChallenge(meterClient, { purpose: 'issue_key', keyId: '', model: 'm' });
    const { invoice, macaroon } = challenge.body as { invoice: string; macaroon: string };
    const credential = `L402 ${macaroon}:${meter.pay(invoice)}`;
    expect(await redeemL402(meterClient, credential)).toMatchObject({
      status: 200,
      body: { key_id: 'k2', api_key: 'nk-k2-s', tokens: 100_000 },
    });
    const again = await redeemL402(meterClient, credential);
    expect(again.status).toBe(409);
    // The meter's refusal becomes a typed error, so each route renders it in its own protocol.
    expect(again.error?.code).toBe('conflict');
    expect(again.body).toMatchObject({ error: { message: 'already redeemed', code: 'conflict' } });
  });

  it('relays 401 for a preimage that does not match', async () => {
    const meter = await startFakeTokenMeter();
    cleanups.push(() => meter.close());
    const meterClient = client(meter.url);
    const challenge = await paymentChallenge(meterClient, { purpose: 'issue_key', keyId: '', model: 'm' });
    const { invoice, macaroon } = challenge.body as { invoice: string; macaroon: string };
    meter.pay(invoice);
    const answer = await redeemL402(meterClient, `L402 ${macaroon}:${'ab'.repeat(32)}`);
    expect(answer.status).toBe(401);
    expect(answer.error?.code).toBe('authentication_required');
    expect(meter.redemptions).toEqual([]);
  });

  it('redacts the credential from a text error and answers 402 when the meter is down', async () => {
    const credential = 'L402 bWFjYXJvb24tc2VjcmV0:feedfacefeedfacefeedface';
    const fake = await startFakeUpstream([{ reply: { status: 401, body: `rejected ${credential}` } }]);
    cleanups.push(() => fake.close());
    const text = await redeemL402(client(fake.url), credential);
    expect(text.status).toBe(401);
    expect(JSON.stringify(text)).not.toMatch(/bWFjYXJvb24tc2VjcmV0|feedface/);
    const down = await redeemL402(client(await deadUrl()), credential);
    expect(down.status).toBe(402);
    expect(JSON.stringify(down)).not.toMatch(/bWFjYXJvb24tc2VjcmV0|feedface/);
  });

  it('answers 502 when the meter says 200 without JSON', async () => {
    const fake = await startFakeUpstream([{ reply: { status: 200, body: 'ok' } }]);
    cleanups.push(() => fake.close());
    const answer = await redeemL402(client(fake.url), 'L402 a:b');
    expect(answer).toMatchObject({ status: 502, error: { code: 'upstream_protocol' } });
  });
});

describe('pricingAnswer', () => {
  it('says disabled without a meter', async () => {
    expect(await pricingAnswer(undefined)).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: { status: 'disabled', message: 'payments not enabled' },
    });
  });

  it('says unavailable when the meter cannot be reached or sends no JSON', async () => {
    expect((await pricingAnswer(client(await deadUrl()))).body).toEqual({
      status: 'unavailable',
      message: 'token-meter not running',
    });
    const fake = await startFakeUpstream([{ reply: { status: 200, body: '<html>' } }]);
    cleanups.push(() => fake.close());
    expect(await pricingAnswer(client(fake.url))).toMatchObject({
      status: 200,
      body: { status: 'unavailable' },
    });
  });

  it("relays the meter's status and JSON body", async () => {
    const meter = await startFakeTokenMeter();
    cleanups.push(() => meter.close());
    const answer = await pricingAnswer(client(meter.url));
    expect(answer.status).toBe(200);
    expect(answer.headers).toEqual({ 'content-type': 'application/json' });
    expect(answer.body).toMatchObject({
      status: 'ok',
      btc_usd: 68840.9,
      prices: { 'gpt-5.2-codex': { cached_input_usd_per_1m: 0.175 } },
    });
    const fake = await startFakeUpstream([
      { reply: { status: 503, json: { status: 'error', message: 'rates stale' } } },
    ]);
    cleanups.push(() => fake.close());
    expect(await pricingAnswer(client(fake.url))).toMatchObject({
      status: 503,
      body: { message: 'rates stale' },
    });
  });
});
