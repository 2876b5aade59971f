import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeTokenMeter, type OnRedeem, startFakeTokenMeter } from '../../testing/fake-token-meter.js';
import { deadUrl } from '../../testing/fake-upstream.js';
import { startGateway, type TestGateway } from '../../testing/gateway-harness.js';
import { AdminClient } from '../admin/admin-client.js';

// Payments end to end (issue 6, research/seeds-spec.md §A.8): a caller without a key, or a key
// without tokens, gets a 402 L402 challenge from the token-meter; paying and presenting
// `Authorization: L402 <macaroon>:<preimage>` gets the key minted or topped up through the
// gateway's own admin API; the caller is then served. nodex never sees a payment secret.

let gw: TestGateway | undefined;
let meter: FakeTokenMeter | undefined;
let admin: AdminClient | undefined;
afterEach(async () => {
  await admin?.close();
  await gw?.close(0);
  await meter?.close();
  gw = undefined;
  meter = undefined;
  admin = undefined;
});

/** The meter credits keys as a real one would: over the running gateway's admin socket. */
const crediting =
  (target: () => AdminClient): OnRedeem =>
  async (purpose, keyId, tokens) => {
    if (purpose === 'topup') {
      await target().keys.addTokens(keyId, tokens);
      return {};
    }
    const issued = await target().keys.add({ label: 'paid', token_balance: tokens });
    return { key_id: issued.record.id, api_key: issued.key };
  };

async function paidGateway(tokens = 100_000) {
  meter = await startFakeTokenMeter({ tokens, onRedeem: crediting(() => admin as AdminClient) });
  gw = await startGateway({
    config: {
      server: { allow_any_key: false },
      payments: { enabled: true, token_meter_url: meter.url, timeout: 2000 },
    },
    admin: true,
  });
  const socketPath = gw.gateway.admin.socketPath;
  if (!socketPath) throw new Error('the test gateway has no admin socket');
  admin = new AdminClient({ socketPath });
  return { gw, meter, admin };
}

const chatBody = JSON.stringify({ model: 'mock-text', messages: [{ role: 'user', content: 'hi' }] });

async function call(url: string, path: string, authorization?: string, body: string | null = chatBody) {
  const answer = await request(`${url}${path}`, {
    method: body === null ? 'GET' : 'POST',
    headers: {
      ...(body === null ? {} : { 'content-type': 'application/json' }),
      ...(authorization ? { authorization } : {}),
    },
    ...(body === null ? {} : { body }),
  });
  const text = await answer.body.text();
  return { status: answer.statusCode, headers: answer.headers, text, json: () => JSON.parse(text) };
}

/** Pays the challenge the way a Lightning wallet would, and builds the L402 credential. */
function pay(meter: FakeTokenMeter, challenge: { json(): unknown }): string {
  const { invoice, macaroon } = challenge.json() as { invoice: string; macaroon: string };
  return `L402 ${macaroon}:${meter.pay(invoice)}`;
}

describe('payments', () => {
  it('no key → 402 challenge → pay → redeem mints a key → served, usage taken off its balance', async () => {
    const { gw, meter, admin } = await paidGateway();
    const challenge = await call(gw.url, '/v1/chat/completions');
    expect(challenge.status).toBe(402);
    expect(challenge.headers['www-authenticate']).toMatch(/^L402 macaroon="[^"]+", invoice="lnbc/);
    expect(challenge.json()).toMatchObject({ purpose: 'issue_key', key_id: '' });
    expect(meter.challenges.at(-1)).toMatchObject({ purpose: 'issue_key', model: 'mock-text' });

    const credential = pay(meter, challenge);
    const redeemed = await call(gw.url, '/v1/chat/completions', credential);
    expect(redeemed.status).toBe(200);
    const { key_id, api_key, tokens } = redeemed.json() as {
      key_id: string;
      api_key: string;
      tokens: number;
    };
    expect(api_key).toMatch(/^nk-/);
    expect(tokens).toBe(100_000);
    expect((await admin.keys.get(key_id)).token_balance).toBe(100_000);

    const served = await call(gw.url, '/v1/chat/completions', `Bearer ${api_key}`);
    expect(served.status).toBe(200);
    expect(served.json()).toMatchObject({ object: 'chat.completion' });
    const balance = (await admin.keys.get(key_id)).token_balance ?? 0;
    const used = (await admin.usage.show(key_id, {})).totals.reduce((sum, t) => sum + t.total_tokens, 0);
    expect(used).toBeGreaterThan(0);
    expect(balance).toBe(100_000 - used);

    // A credential is good once; a forged one never.
    expect((await call(gw.url, '/v1/chat/completions', credential)).status).toBe(409);
    const [macaroon] = credential.slice('L402 '.length).split(':');
    const forged = await call(gw.url, '/v1/chat/completions', `L402 ${macaroon}:${'0'.repeat(64)}`);
    expect(forged.status).toBe(401);
    expect(forged.json()).toMatchObject({ error: {} });
  });

  it('a key out of tokens gets a top-up challenge (key id only) and is served again once paid', async () => {
    const { gw, meter, admin } = await paidGateway(5000);
    const issued = await admin.keys.add({ label: 'prepaid', token_balance: 0 });
    const broke = await call(gw.url, '/v1/chat/completions', `Bearer ${issued.key}`);
    expect(broke.status).toBe(402);
    expect(broke.headers['www-authenticate']).toMatch(/^L402 /);
    const recorded = meter.challenges.at(-1);
    expect(recorded).toMatchObject({ purpose: 'topup', key_id: issued.record.id, model: 'mock-text' });
    // The meter identifies the account by key id; the key's secret never leaves the gateway.
    expect(JSON.stringify(meter.challenges)).not.toContain(issued.key);

    const redeemed = await call(gw.url, '/v1/chat/completions', pay(meter, broke));
    expect(redeemed.status).toBe(200);
    expect(meter.redemptions.at(-1)).toMatchObject({
      purpose: 'topup',
      key_id: issued.record.id,
      tokens: 5000,
    });
    expect((await admin.keys.get(issued.record.id)).token_balance).toBe(5000);
    expect((await call(gw.url, '/v1/chat/completions', `Bearer ${issued.key}`)).status).toBe(200);
  });

  it('the Anthropic route answers the challenge and its errors in its own protocol', async () => {
    const { gw, meter } = await paidGateway();
    const body = JSON.stringify({
      model: 'mock-text',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const challenge = await call(gw.url, '/v1/messages', undefined, body);
    expect(challenge.status).toBe(402);
    const credential = pay(meter, challenge);
    const wrong = credential.replace(/:[0-9a-f]{64}$/, `:${'1'.repeat(64)}`);
    const refused = await request(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        authorization: wrong,
      },
      body,
    });
    expect(refused.statusCode).toBe(401);
    const text = await refused.body.text();
    expect(JSON.parse(text)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('no secret reaches the log: keys, macaroons, preimages', async () => {
    const { gw, meter } = await paidGateway();
    const credential = pay(meter, await call(gw.url, '/v1/chat/completions'));
    const { api_key } = (await call(gw.url, '/v1/chat/completions', credential)).json() as {
      api_key: string;
    };
    expect((await call(gw.url, '/v1/chat/completions', `Bearer ${api_key}`)).status).toBe(200);
    const [macaroon, preimage] = credential.slice('L402 '.length).split(':') as [string, string];
    const log = gw.logText();
    expect(log).toContain('"payment":"redeem"');
    for (const secret of [api_key, macaroon, preimage]) expect(log).not.toContain(secret);
  });
});

describe('GET /v1/pricing', () => {
  it('relays the meter prices without a key', async () => {
    const { gw } = await paidGateway();
    const answer = await call(gw.url, '/v1/pricing', undefined, null);
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({
      status: 'ok',
      prices: { 'gpt-5.2-codex': { output_usd_per_1m: 14 } },
    });
  });

  it('says disabled without payments and unavailable when the meter is down', async () => {
    gw = await startGateway({ config: { server: { allow_any_key: false } } });
    expect((await call(gw.url, '/v1/pricing', undefined, null)).json()).toMatchObject({
      status: 'disabled',
    });
    await gw.close(0);
    gw = await startGateway({
      config: {
        server: { allow_any_key: false },
        payments: { enabled: true, token_meter_url: await deadUrl(), timeout: 1000 },
      },
    });
    const down = await call(gw.url, '/v1/pricing', undefined, null);
    expect(down.status).toBe(200);
    expect(down.json()).toMatchObject({ status: 'unavailable' });
    // A challenge cannot be had either: still a 402 in the protocol's shape, not a hang or a 500.
    const challenge = await call(gw.url, '/v1/chat/completions');
    expect(challenge.status).toBe(402);
    expect(challenge.json()).toMatchObject({ error: { code: 'payment_required' } });
  });
});
