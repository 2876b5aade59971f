import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MOCK_TEXT } from '../providers/mock/mock-script.js';
import {
  anthropicFrames,
  anthropicSseFrames,
  type FakeAnthropic,
  startFakeAnthropic,
} from './fake-anthropic.js';
import { type FakeChatCompletions, startFakeChatCompletions } from './fake-chat-completions.js';
import { codexSseFrames, type FakeCodex, fakeJwt, startFakeCodex } from './fake-codex.js';

/** One upstream behind the gateway, for the cross-protocol matrix. */
export interface MatrixUpstream {
  readonly name: string;
  /** The model a client asks for. */
  readonly model: string;
  /** The text the upstream's text turn produces. */
  readonly text: string;
  /** The arguments its tool turn calls get_weather with. */
  readonly toolArguments: Record<string, unknown>;
  /** The text of the turn after the tool output. */
  readonly afterTool: (output: string) => string;
  /** Makes the next answer a get_weather call. */
  queueToolCall(): void;
  /** Every upstream request body so far. */
  bodies(): unknown[];
  readonly config: Record<string, unknown>;
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

const ARGS = { city: 'Paris' };

/**
 * Writes a Codex CLI login (`<home>/.codex/auth.json`, a token valid for an hour) and returns the
 * environment that points the codex provider at it.
 */
export function writeCodexLogin(home: string): Record<string, string> {
  const token = fakeJwt({
    exp: Math.floor(Date.now() / 1000) + 3600,
    'https://api.openai.com/auth': { chatgpt_account_id: 'acct_gw' },
  });
  mkdirSync(join(home, '.codex'), { recursive: true });
  writeFileSync(
    join(home, '.codex', 'auth.json'),
    JSON.stringify({
      tokens: { access_token: token, refresh_token: 'rt', id_token: token, account_id: 'acct_gw' },
    }),
  );
  return { CODEX_HOME: join(home, '.codex') };
}

export async function codexUpstream(home: string): Promise<MatrixUpstream> {
  const fake: FakeCodex = await startFakeCodex();
  const env = writeCodexLogin(home);
  const response = { id: 'resp_gw_tool', model: 'gpt-5.5', output: [] };
  const item = {
    id: 'fc_gw',
    type: 'function_call',
    call_id: 'call_gw_1',
    name: 'get_weather',
    arguments: JSON.stringify(ARGS),
  };
  return {
    name: 'codex',
    model: 'gpt-5.5',
    text: 'Hello! How can I help you today?',
    toolArguments: ARGS,
    afterTool: () => 'Hello! How can I help you today?',
    queueToolCall: () =>
      fake.enqueue({
        sse: codexSseFrames([
          { type: 'response.created', response },
          { type: 'response.output_item.added', output_index: 0, item: { ...item, arguments: '' } },
          {
            type: 'response.function_call_arguments.delta',
            item_id: 'fc_gw',
            output_index: 0,
            delta: item.arguments,
          },
          { type: 'response.output_item.done', output_index: 0, item },
          { type: 'response.completed', response },
        ]),
      }),
    bodies: () => fake.responses().map((r) => r.json),
    config: { providers: { codex: { base_url: fake.baseUrl } } },
    env,
    close: () => fake.close(),
  };
}

export async function anthropicUpstream(): Promise<MatrixUpstream> {
  const fake: FakeAnthropic = await startFakeAnthropic({ apiKeys: ['sk-ant-gw'] });
  return {
    name: 'anthropic',
    model: 'claude-sonnet-4-5',
    text: 'Hello there!',
    toolArguments: ARGS,
    afterTool: () => 'Hello there!',
    queueToolCall: () =>
      fake.enqueue({
        sse: anthropicSseFrames([
          anthropicFrames.start(),
          ...anthropicFrames.toolUse(0, 'toolu_gw_1', 'get_weather', ARGS),
          ...anthropicFrames.end('tool_use', 15),
        ]),
      }),
    bodies: () => fake.messages().map((r) => r.json),
    config: { providers: { anthropic: { base_url: fake.url } } },
    env: { ANTHROPIC_API_KEY: 'sk-ant-gw' },
    close: () => fake.close(),
  };
}

export async function geminiUpstream(): Promise<MatrixUpstream> {
  const fake: FakeChatCompletions = await startFakeChatCompletions({ dialect: 'gemini', apiKey: 'gem-gw' });
  return {
    name: 'gemini',
    model: 'gemini-2.5-flash',
    text: 'Hello from the fake.',
    toolArguments: ARGS,
    afterTool: () => 'Hello from the fake.',
    queueToolCall: () =>
      fake.enqueue({
        turn: {
          calls: [{ name: 'get_weather', arguments: ARGS, thoughtSignature: 'sig-gw' }],
          finishReason: 'tool_calls',
        },
      }),
    bodies: () => fake.chatRequests().map((r) => r.json),
    config: { providers: { gemini: { base_url: fake.baseUrl } } },
    env: { GEMINI_API_KEY: 'gem-gw' },
    close: () => fake.close(),
  };
}

export async function mockUpstream(): Promise<MatrixUpstream> {
  let model = 'mock-text';
  return {
    name: 'mock',
    get model() {
      return model;
    },
    text: MOCK_TEXT,
    toolArguments: { city: 'mock' },
    afterTool: (output) => `The tool returned: ${output}`,
    queueToolCall: () => {
      model = 'mock-tool-loop';
    },
    bodies: () => [],
    config: {},
    env: {},
    close: async () => undefined,
  };
}
