import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeTokenMeter, type FakeTokenMeterOptions, startFakeTokenMeter } from './fake-token-meter.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function meter(options: FakeTokenMeterOptions = {}): Promise<FakeTokenMeter> {
  const started = await startFakeTokenMeter(options);
  cleanups.push(() => started.close());
  return started;
}

async function post(
  url: string,
  body: unknown,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

async function challenge(m: FakeTokenMeter, purpose = 'issue_key', keyId = '') {
  const answer = await post(`${m.url}/l402/challenge`, {
    purpose,
    key_id: keyId,
    model: 'm',
    auth_header: '',
  });
  return answer.body as { invoice: string; macaroon: string };
}

describe('fake token-meter', () => {
  it('issues L402 challenges whose preimage hashes to the payment hash in the macaroon', async () => {
    const m = await meter({ amountSats: 21 });
    const answer = await post(`${m.url}/l402/challenge`, {
      purpose: 'issue_key',
      key_id: '',
      model: 'm',
      auth_header: '',
    });
    const { invoice, macaroon } = answer.body as { invoice: string; macaroon: string };
    expect(answer.status).toBe(402);
    expect(answer.headers.get('www-authenticate')).toBe(`L402 macaroon="${macaroon}", invoice="${invoice}"`);
    expect(invoice).toMatch(/^lnbc210n1p[qpzry9x8gf2tvdw0s3jn54khce6mua7l]+$/);
    const preimage = m.pay(invoice);
    expect(preimage).toMatch(/^[0-9a-f]{64}$/);
    const claims = JSON.parse(Buffer.from(macaroon, 'base64').toString('utf8')) as { payment_hash: string };
    expect(createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex')).toBe(claims.payment_hash);
    expect(m.challenges[0]?.payment_hash).toBe(claims.payment_hash);
    expect(() => m.pay('lnbc1nope')).toThrow(/unknown invoice/);
  });

  it('refuses bad challenge bodies with 400', async () => {
    const m = await meter();
    expect((await post(`${m.url}/l402/challenge`, { purpose: 'steal' })).status).toBe(400);
    expect((await post(`${m.url}/l402/challenge`, { purpose: 'topup', key_id: '' })).status).toBe(400);
    expect((await post(`${m.url}/l402/challenge`, '{nope')).status).toBe(400);
    expect(m.challenges).toEqual([]);
  });

  it('refuses unpaid invoices (402), forged macaroons and malformed credentials (401)', async () => {
    const m = await meter();
    const { invoice, macaroon } = await challenge(m);
    const preimage = m.pay(invoice);
    const second = await challenge(m);
    const unpaidPreimage = 'ab'.repeat(32);
    expect(
      (await post(`${m.url}/l402/redeem`, { auth_header: `L402 ${second.macaroon}:${unpaidPreimage}` }))
        .status,
    ).toBe(401);
    const claims = JSON.parse(Buffer.from(macaroon, 'base64').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, key_id: 'someone-else' })).toString('base64');
    expect((await post(`${m.url}/l402/redeem`, { auth_header: `L402 ${forged}:${preimage}` })).status).toBe(
      401,
    );
    expect((await post(`${m.url}/l402/redeem`, { auth_header: 'Bearer x' })).status).toBe(401);
    expect((await post(`${m.url}/l402/redeem`, {})).status).toBe(401);
    expect(m.redemptions).toEqual([]);
  });

  it("binds each preimage to its own macaroon's payment hash", async () => {
    const m = await meter();
    const { invoice, macaroon } = await challenge(m);
    const preimage = m.pay(invoice);
    const other = await challenge(m);
    const otherPreimage = m.pay(other.invoice);
    const redeemed = await post(`${m.url}/l402/redeem`, { auth_header: `L402 ${macaroon}:${preimage}` });
    expect(redeemed.status).toBe(200);
    expect(
      (await post(`${m.url}/l402/redeem`, { auth_header: `L402 ${other.macaroon}:${preimage}` })).status,
    ).toBe(401);
    expect(
      (await post(`${m.url}/l402/redeem`, { auth_header: `L402 ${other.macaroon}:${otherPreimage}` })).status,
    ).toBe(200);
  });

  it('credits topups through onRedeem and keeps a credential redeemable when crediting fails', async () => {
    let failing = true;
    const calls: unknown[] = [];
    const m = await meter({
      tokens: 777,
      onRedeem: async (purpose, keyId, tokens) => {
        calls.push([purpose, keyId, tokens]);
        if (failing) throw new Error('admin API down');
        return {};
      },
    });
    const { invoice, macaroon } = await challenge(m, 'topup', 'k5');
    const credential = { auth_header: `L402 ${macaroon}:${m.pay(invoice)}` };
    const failed = await post(`${m.url}/l402/redeem`, credential);
    expect(failed).toMatchObject({
      status: 502,
      body: { error: { message: 'crediting the key failed: admin API down' } },
    });
    failing = false;
    expect(await post(`${m.url}/l402/redeem`, credential)).toMatchObject({
      status: 200,
      body: { key_id: 'k5', tokens: 777 },
    });
    expect((await post(`${m.url}/l402/redeem`, credential)).status).toBe(409);
    expect(calls).toEqual([
      ['topup', 'k5', 777],
      ['topup', 'k5', 777],
    ]);
    expect(m.redemptions).toEqual([{ purpose: 'topup', key_id: 'k5', tokens: 777 }]);
  });

  it('mints a made-up key for issue_key by default and serves pricing', async () => {
    const m = await meter({ prices: {} });
    const { invoice, macaroon } = await challenge(m);
    const answer = await post(`${m.url}/l402/redeem`, { auth_header: `L402 ${macaroon}:${m.pay(invoice)}` });
    expect(answer.body).toMatchObject({
      key_id: 'meter1',
      api_key: expect.stringMatching(/^nk-meter1-/),
      tokens: 100_000,
    });
    const pricing = await fetch(`${m.url}/v1/pricing`);
    expect(await pricing.json()).toMatchObject({ status: 'ok', prices: {}, updated_at: expect.any(String) });
    expect((await fetch(`${m.url}/l402/other`, { method: 'POST' })).status).toBe(404);
  });
});
