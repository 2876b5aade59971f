import { afterEach, describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import type { Provider, ProviderCallContext, UpstreamRequestRecord } from '../../core/provider.js';
import { userText } from '../../core/request.js';
import { type FakeChatCompletions, startFakeChatCompletions } from '../../testing/fake-chat-completions.js';
import { ProviderUnavailableError } from '../provider-factory.js';
import { geminiFactory, openAICompatibleFactory, openaiFactory } from './openai-compatible-factory.js';
import type { OpenAICompatibleProvider } from './openai-compatible-provider.js';

let fake: FakeChatCompletions | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const home = '/nonexistent';

async function run(
  provider: Provider,
  model: string,
  context: ProviderCallContext = {},
): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of provider.stream({ model, input: [userText('hi')] }, context)) events.push(event);
  return events;
}

function text(events: readonly StreamEvent[]): string {
  return events.flatMap((e) => (e.type === 'text_delta' ? [e.delta] : [])).join('');
}

function issues(schema: typeof openAICompatibleFactory.schema, section: unknown): string[] {
  const parsed = schema.safeParse(section);
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('openai-compatible config schema', () => {
  it('a custom host needs base_url and a key source (or auth: none); auth: header needs header_name', () => {
    const schema = openAICompatibleFactory.schema;
    expect(issues(schema, {})).toEqual([
      'base_url: base_url is required',
      'api_key_env: set api_key_env (or api_key), or auth: none for a host that takes no key',
    ]);
    expect(issues(schema, { base_url: 'http://10.0.0.5:8000/v1', auth: 'none' })).toEqual([]);
    expect(issues(schema, { base_url: 'http://h/v1', api_key_env: 'K', auth: 'header' })).toEqual([
      'header_name: auth: header needs header_name',
    ]);
    expect(issues(schema, { base_url: 'http://h/v1', api_key_env: 'K', bogus: 1 })[0]).toMatch(/bogus/);
    expect(issues(schema, { base_url: 'http://h/v1', api_key_env: 'not a var' })[0]).toMatch(/^api_key_env/);
  });

  it('presets accept an empty section; only gemini is built without one', () => {
    expect(geminiFactory.schema.safeParse({}).success).toBe(true);
    expect(openaiFactory.schema.safeParse({}).success).toBe(true);
    expect([geminiFactory.builtIn, openaiFactory.builtIn, openAICompatibleFactory.builtIn]).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('keys', () => {
  it('gemini without GEMINI_API_KEY still builds; a request fails naming the variable, and sends nothing', async () => {
    fake = await startFakeChatCompletions({ dialect: 'gemini', apiKey: 'k' });
    const gemini = geminiFactory.create(
      'gemini',
      { base_url: fake.baseUrl },
      { env: {}, home },
    ) as OpenAICompatibleProvider;
    expect(gemini.missingKey).toBe('set GEMINI_API_KEY');
    const error = await run(gemini, 'gemini-2.5-flash').catch((e: unknown) => e);
    expect(NodexError.isInstance(error) && [error.code, error.status]).toEqual(['provider_unavailable', 503]);
    expect((error as Error).message).toContain('set GEMINI_API_KEY');
    expect(await gemini.listModels({ onWarning: () => expect.fail('no warning without a key') })).toEqual([]);
    expect(fake.requests).toEqual([]);
    expect(await gemini.listModels({ providerKey: 'k' })).toEqual([
      { id: 'gemini-2.5-flash', provider: 'gemini' },
      { id: 'gemini-2.5-pro', provider: 'gemini' },
    ]);
  });

  it('a per-request provider key makes a keyless provider work, and overrides a configured key', async () => {
    fake = await startFakeChatCompletions({ dialect: 'gemini', apiKey: 'per-request' });
    const keyless = geminiFactory.create('gemini', { base_url: fake.baseUrl }, { env: {}, home });
    expect(text(await run(keyless, 'gemini-2.5-flash', { providerKey: 'per-request' }))).toBe(
      'Hello from the fake.',
    );
    const configured = geminiFactory.create(
      'gemini',
      { base_url: fake.baseUrl },
      { env: { GEMINI_API_KEY: 'env-key' }, home },
    );
    expect(text(await run(configured, 'gemini-2.5-flash', { providerKey: 'per-request' }))).toBe(
      'Hello from the fake.',
    );
    expect(fake.chatRequests().map((r) => r.headers.authorization)).toEqual([
      'Bearer per-request',
      'Bearer per-request',
    ]);
  });

  it('api_key (literal) wins over api_key_env; the openai preset names OPENAI_API_KEY', async () => {
    fake = await startFakeChatCompletions({ apiKey: 'literal' });
    const provider = openaiFactory.create(
      'openai',
      { base_url: fake.baseUrl, api_key: 'literal' },
      { env: { OPENAI_API_KEY: 'from-env' }, home },
    );
    expect(text(await run(provider, 'gpt-4o-mini'))).toBe('Hello from the fake.');
    expect(
      (openaiFactory.create('openai', {}, { env: {}, home }) as OpenAICompatibleProvider).missingKey,
    ).toBe('set OPENAI_API_KEY');
  });

  it('a custom host with auth: none sends no Authorization header', async () => {
    fake = await startFakeChatCompletions();
    const provider = openAICompatibleFactory.create(
      'local',
      { base_url: fake.baseUrl, auth: 'none' },
      { env: {}, home },
    );
    expect(text(await run(provider, 'llama3'))).toBe('Hello from the fake.');
    expect(fake.chatRequests()[0]?.headers).not.toHaveProperty('authorization');
  });

  it('auth: header sends the key in the named header', async () => {
    fake = await startFakeChatCompletions({ apiKey: 'azure-key', apiKeyHeader: 'api-key' });
    const provider = openAICompatibleFactory.create(
      'azure',
      { base_url: fake.baseUrl, auth: 'header', header_name: 'api-key', api_key_env: 'AZ' },
      { env: { AZ: 'azure-key' }, home },
    );
    expect(text(await run(provider, 'gpt-4o'))).toBe('Hello from the fake.');
    expect(fake.chatRequests()[0]?.headers).not.toHaveProperty('authorization');
  });
});

describe('headers', () => {
  it('expands $VAR and braced variables; the logged request redacts the key and expanded values', async () => {
    fake = await startFakeChatCompletions({ apiKey: 'sk-secret-value-1234' });
    const provider = openAICompatibleFactory.create(
      'proxy',
      {
        base_url: fake.baseUrl,
        api_key_env: 'PROXY_KEY',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} reference is what is tested
        headers: { 'X-Team': '${TEAM}-eu', 'X-Client': 'nodex', 'X-Price': '$$5' },
      },
      { env: { PROXY_KEY: 'sk-secret-value-1234', TEAM: 'blue' }, home },
    );
    const logged: UpstreamRequestRecord[] = [];
    await run(provider, 'm', { onUpstreamRequest: (record) => logged.push(record) });
    expect(fake.chatRequests()[0]?.headers).toMatchObject({
      'x-team': 'blue-eu',
      'x-client': 'nodex',
      'x-price': '$5',
    });
    expect(logged[0]?.headers).toEqual({
      'x-team': '[redacted]',
      'x-client': 'nodex',
      'x-price': '$5',
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: '[redacted]',
    });
    expect(JSON.stringify(logged)).not.toContain('sk-secret');
  });

  it('an unset variable in headers stops the provider, naming it', () => {
    const build = () =>
      openAICompatibleFactory.create(
        'proxy',
        { base_url: 'http://127.0.0.1:9/v1', auth: 'none', headers: { 'x-org': '$ORG_ID' } },
        { env: {}, home },
      );
    expect(build).toThrow(ProviderUnavailableError);
    expect(build).toThrow('set ORG_ID (used in providers.proxy.headers)');
  });
});
