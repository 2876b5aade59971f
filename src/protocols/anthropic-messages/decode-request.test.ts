import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, ReasoningItem } from '../../core/request.js';
import { collectWarnings } from '../../core/warnings.js';
import { convertToAnthropicRequest } from '../../providers/anthropic/convert-to-anthropic-request.js';
import { convertToCodexRequest } from '../../providers/codex/convert-to-codex-request.js';
import { packReasoning } from '../opaque-reasoning.js';
import type { RequestIssue } from '../openai-responses/request-issues.js';
import { toAnthropicToolId } from './anthropic-ids.js';
import { decodeAnthropicRequest } from './decode-request.js';

function decode(body: unknown, defaultModel?: string) {
  const issues: RequestIssue[] = [];
  const { warnings, sink } = collectWarnings();
  const decoded = decodeAnthropicRequest(body, {
    onIssue: (issue) => issues.push(issue),
    onWarning: sink,
    ...(defaultModel ? { defaultModel } : {}),
  });
  return { ...decoded, issues, warnings };
}

const user = (content: unknown) => ({ role: 'user', content });
const assistant = (content: unknown) => ({ role: 'assistant', content });
const minimal = (extra: Record<string, unknown> = {}) => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  messages: [user('hi')],
  ...extra,
});
const BASH_SCHEMA = {
  type: 'object',
  properties: { command: { type: 'string' }, timeout: { type: 'number' }, description: { type: 'string' } },
  required: ['command'],
};

describe('decodeAnthropicRequest: a Claude Code body (real-clients.md)', () => {
  const body = {
    model: 'claude-sonnet-4-5',
    max_tokens: 64000,
    stream: true,
    system: [
      {
        type: 'text',
        text: 'x-anthropic-billing-header: cc_version=2.1.197.abc; cc_entrypoint=cli; cch=00000;',
      },
      {
        type: 'text',
        text: "You are Claude Code, Anthropic's official CLI for Claude.",
        cache_control: { type: 'ephemeral' },
      },
      { type: 'text', text: 'You are an interactive CLI tool.', cache_control: { type: 'ephemeral' } },
    ],
    messages: [
      user([
        { type: 'text', text: '<system-reminder>Be careful.</system-reminder>' },
        { type: 'text', text: 'list files', cache_control: { type: 'ephemeral' } },
      ]),
      assistant([
        { type: 'thinking', thinking: 'Run ls.', signature: 'EqQBCgIYAhIMrealSignature==' },
        { type: 'text', text: 'Listing.' },
        {
          type: 'tool_use',
          id: 'toolu_01A',
          name: 'Bash',
          input: { command: 'ls', description: 'List files' },
        },
      ]),
      user([
        { type: 'tool_result', tool_use_id: 'toolu_01A', content: 'a.txt\nb.txt' },
        { type: 'text', text: 'thanks' },
      ]),
    ],
    tools: [
      { name: 'Bash', description: 'Run a command', input_schema: BASH_SCHEMA },
      {
        name: 'Read',
        description: 'Read a file',
        input_schema: { type: 'object', properties: { file_path: { type: 'string' } } },
        cache_control: { type: 'ephemeral' },
      },
    ],
    metadata: { user_id: 'user_abc_account_def_session_ghi' },
    thinking: { type: 'adaptive' },
    context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
    output_config: { effort: 'high' },
  };

  it('decodes to exactly this canonical request, reporting context_management', () => {
    const { request, stream, issues, warnings } = decode(body);
    const expected: CanonicalRequest = {
      model: 'claude-sonnet-4-5',
      instructions:
        "x-anthropic-billing-header: cc_version=2.1.197.abc; cc_entrypoint=cli; cch=00000;\n\nYou are Claude Code, Anthropic's official CLI for Claude.\n\nYou are an interactive CLI tool.",
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'text', text: '<system-reminder>Be careful.</system-reminder>' },
            { type: 'text', text: 'list files' },
          ],
        },
        {
          type: 'reasoning',
          summary: [],
          text: 'Run ls.',
          provider_data: { anthropic: { signature: 'EqQBCgIYAhIMrealSignature==' } },
        },
        { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Listing.' }] },
        {
          type: 'function_call',
          call_id: 'toolu_01A',
          name: 'Bash',
          arguments: '{"command":"ls","description":"List files"}',
        },
        { type: 'function_call_output', call_id: 'toolu_01A', output: 'a.txt\nb.txt' },
        { type: 'message', role: 'user', content: [{ type: 'text', text: 'thanks' }] },
      ],
      tools: [
        { type: 'function', name: 'Bash', description: 'Run a command', parameters: BASH_SCHEMA },
        {
          type: 'function',
          name: 'Read',
          description: 'Read a file',
          parameters: { type: 'object', properties: { file_path: { type: 'string' } } },
        },
      ],
      reasoning: { effort: 'high' },
      max_output_tokens: 64000,
      user: 'user_abc_account_def_session_ghi',
    };
    expect(request).toEqual(expected);
    expect(stream).toBe(true);
    expect(issues).toEqual([
      {
        code: 'unsupported_parameter',
        param: 'context_management',
        message: 'server-side context management (context editing) is not supported; ignored',
      },
    ]);
    expect(warnings).toEqual([]);
  });
  it('Claude Code → nodex → the Anthropic provider: thinking, signature and tool ids arrive intact', () => {
    const { body: upstream } = convertToAnthropicRequest(decode(body).request);
    expect(upstream.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-reminder>Be careful.</system-reminder>' },
          { type: 'text', text: 'list files' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Run ls.', signature: 'EqQBCgIYAhIMrealSignature==' },
          { type: 'text', text: 'Listing.' },
          {
            type: 'tool_use',
            id: 'toolu_01A',
            name: 'Bash',
            input: { command: 'ls', description: 'List files' },
          },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01A', content: 'a.txt\nb.txt' },
          { type: 'text', text: 'thanks' },
        ],
      },
    ]);
  });
});

describe('decodeAnthropicRequest: mid-conversation system messages (Claude Code 2.1.197)', () => {
  // Claude Code sends `anthropic-beta: mid-conversation-system-2026-04-07` and, right after the first
  // user turn, a `{role:'system'}` message listing its agents and skills (real-clients.md).
  const body = minimal({
    messages: [
      user('say hi'),
      { role: 'system', content: 'Available agent types for the Agent tool: …' },
      assistant('hi'),
      {
        role: 'system',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: '' },
          { type: 'text', text: 'b' },
        ],
      },
      { role: 'system', content: '' },
    ],
  });

  it('decodes to a system message item in place (text blocks kept as parts, empty ones skipped)', () => {
    const { request, issues, warnings } = decode(body);
    expect(request.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'text', text: 'say hi' }] },
      {
        type: 'message',
        role: 'system',
        content: [{ type: 'text', text: 'Available agent types for the Agent tool: …' }],
      },
      { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'hi' }] },
      {
        type: 'message',
        role: 'system',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
    ]);
    expect(issues).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('reaches Codex as a developer message (Codex rejects system items)', () => {
    const { body: upstream } = convertToCodexRequest(decode(body).request);
    expect(upstream.input[1]).toEqual({
      type: 'message',
      role: 'developer',
      content: [{ type: 'input_text', text: 'Available agent types for the Agent tool: …' }],
    });
  });
});

describe('decodeAnthropicRequest: reasoning blocks', () => {
  const codexItem: ReasoningItem = {
    type: 'reasoning',
    summary: ['**Plan**\n\nCheck.'],
    encrypted_content: 'gAAAAABfakeEncrypted',
  };

  it('a nodex token in a thinking signature restores the original item; others stay Anthropic’s', () => {
    const { request } = decode(
      minimal({
        messages: [
          user('q'),
          assistant([
            { type: 'thinking', thinking: '**Plan**\n\nCheck.', signature: packReasoning(codexItem) },
            { type: 'redacted_thinking', data: 'EmwKAhgBredacted' },
            { type: 'text', text: 'a' },
          ]),
        ],
      }),
    );
    expect(request.input.slice(1, 3)).toEqual([
      codexItem,
      { type: 'reasoning', summary: [], provider_data: { anthropic: { redacted_data: 'EmwKAhgBredacted' } } },
    ]);
  });

  it('a damaged token is dropped with a warning', () => {
    const { request, warnings } = decode(
      minimal({ messages: [assistant([{ type: 'thinking', thinking: 'x', signature: 'nodex:v1:!!!' }])] }),
    );
    expect(request.input).toEqual([]);
    expect(warnings).toEqual([
      { feature: 'content.thinking', details: 'messages[0].content[0]: a damaged nodex token; dropped' },
    ]);
  });
});

describe('decodeAnthropicRequest: tool ids and blocks', () => {
  it('encoded tool ids come back as the original call ids and provider data', () => {
    const plain = toAnthropicToolId('call.1');
    const withData = toAnthropicToolId('r8k2', {
      'openai-compatible': { extra_content: { google: { x: 1 } } },
    });
    const { request } = decode(
      minimal({
        messages: [
          user('q'),
          assistant([
            { type: 'tool_use', id: plain, name: 'f', input: {} },
            { type: 'tool_use', id: withData, name: 'g', input: { a: 1 } },
          ]),
          user([
            {
              type: 'tool_result',
              tool_use_id: plain,
              content: [{ type: 'text', text: 'one' }],
              is_error: true,
            },
            { type: 'tool_result', tool_use_id: withData },
          ]),
        ],
      }),
    );
    expect(request.input.slice(1)).toEqual([
      { type: 'function_call', call_id: 'call.1', name: 'f', arguments: '{}' },
      {
        type: 'function_call',
        call_id: 'r8k2',
        name: 'g',
        arguments: '{"a":1}',
        provider_data: { 'openai-compatible': { extra_content: { google: { x: 1 } } } },
      },
      {
        type: 'function_call_output',
        call_id: 'call.1',
        output: [{ type: 'text', text: 'one' }],
        is_error: true,
      },
      { type: 'function_call_output', call_id: 'r8k2', output: '' },
    ]);
  });

  it('images become image parts; PDFs, file images and server tool blocks are dropped with warnings', () => {
    const { request, warnings } = decode(
      minimal({
        messages: [
          user([
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            { type: 'image', source: { type: 'file', file_id: 'file_1' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' } },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' } },
          ]),
          assistant([
            { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
            { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
            { type: 'text', text: 'found' },
          ]),
        ],
      }),
    );
    expect(request.input).toEqual([
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'image', image_url: 'data:image/png;base64,iVBORw0' },
          { type: 'image', image_url: 'https://example.com/a.png' },
          { type: 'text', text: 'notes' },
        ],
      },
      { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'found' }] },
    ]);
    expect(warnings.map((w) => w.details)).toEqual([
      'messages[0].content[2]: a "image" block with a "file" source has no canonical form; dropped',
      'messages[0].content[3]: a "document" block with a "base64" source has no canonical form; dropped',
      'messages[1].content[0]: a "server_tool_use" block is not supported; dropped',
      'messages[1].content[1]: a "web_search_tool_result" block is not supported; dropped',
    ]);
  });
});

describe('decodeAnthropicRequest: parameters', () => {
  it.each([
    [{ type: 'enabled', budget_tokens: 1024 }, 'minimal'],
    [{ type: 'enabled', budget_tokens: 4000 }, 'low'],
    [{ type: 'enabled', budget_tokens: 10_000 }, 'medium'],
    [{ type: 'enabled', budget_tokens: 16_384 }, 'high'],
    [{ type: 'enabled', budget_tokens: 31_999 }, 'xhigh'],
    [{ type: 'adaptive' }, 'medium'],
    [{ type: 'disabled' }, 'none'],
  ])('thinking %j → effort %s', (thinking, effort) => {
    expect(decode(minimal({ thinking })).request.reasoning).toEqual({ effort });
  });

  it('adaptive thinking takes output_config.effort (max → xhigh)', () => {
    const { request } = decode(minimal({ thinking: { type: 'adaptive' }, output_config: { effort: 'max' } }));
    expect(request.reasoning).toEqual({ effort: 'xhigh' });
  });

  it.each([
    [{ type: 'auto' }, { tool_choice: 'auto' }],
    [
      { type: 'any', disable_parallel_tool_use: true },
      { tool_choice: 'required', parallel_tool_calls: false },
    ],
    [{ type: 'tool', name: 'Bash' }, { tool_choice: { type: 'function', name: 'Bash' } }],
    [{ type: 'none' }, { tool_choice: 'none' }],
  ])('tool_choice %j', (toolChoice, expected) => {
    const { request } = decode(minimal({ tool_choice: toolChoice }));
    expect({ tool_choice: request.tool_choice, parallel_tool_calls: request.parallel_tool_calls }).toEqual({
      parallel_tool_calls: undefined,
      ...expected,
    });
  });

  it('server tools become built-in tools the Anthropic provider can send back as they were', () => {
    const { request } = decode(
      minimal({ tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 8 }] }),
    );
    expect(request.tools).toEqual([
      { type: 'builtin', name: 'web_search', config: { type: 'web_search_20250305', max_uses: 8 } },
    ]);
  });

  it('sampling, stop sequences, structured output; bad values are dropped and reported', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const { request, issues } = decode(
      minimal({
        temperature: 0.2,
        top_p: 0.9,
        top_k: 40,
        stop_sequences: ['END'],
        metadata: { user_id: 'u1', team: 'x' },
        output_config: { format: { type: 'json_schema', schema } },
        service_tier: 'auto',
      }),
    );
    expect(request).toMatchObject({
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      user: 'u1',
      text: { format: { type: 'json_schema', name: 'output', schema } },
    });
    expect(issues.map((i) => [i.param, i.fatal ?? false])).toEqual([
      ['top_k', false],
      ['service_tier', false],
      ['metadata.team', false],
    ]);
    expect(decode(minimal({ temperature: 1.5 })).issues).toEqual([
      {
        code: 'invalid_temperature',
        param: 'temperature',
        message: 'temperature must be between 0 and 1; dropped',
      },
    ]);
  });

  it('a missing max_tokens or model is fatal (the real API requires both); defaultModel fills model', () => {
    const { max_tokens: _m, ...noMax } = minimal();
    expect(decode(noMax).issues).toEqual([
      { code: 'invalid_max_tokens', param: 'max_tokens', message: 'max_tokens: is required', fatal: true },
    ]);
    const { model: _model, ...noModel } = minimal();
    expect(decode(noModel).issues.map((i) => [i.param, i.fatal])).toEqual([['model', true]]);
    expect(decode(noModel, 'gpt-5.5').request.model).toBe('gpt-5.5');
    expect(decode(minimal({ tools: [{ name: 'Bash' }] })).issues).toEqual([
      { code: 'invalid_tool', param: 'tools[0]', message: 'tools[0].input_schema: is required', fatal: true },
    ]);
  });
});

describe('decodeAnthropicRequest: invalid shapes name the path', () => {
  it.each([
    [{ ...minimal(), messages: undefined }, 'messages: is required'],
    [{ ...minimal(), messages: [] }, 'messages: at least one message is required'],
    [
      { ...minimal(), messages: [{ role: 'tool', content: 'x' }] },
      'messages[0].role: Invalid option: expected one of "user"|"assistant"|"system"',
    ],
    [
      { ...minimal(), messages: [user('a'), { role: 'system', content: [{ type: 'image' }] }] },
      'messages[1].content[0].type: expected "text"',
    ],
    [{ ...minimal(), messages: [{ role: 'user' }] }, 'messages[0].content: is required'],
    [
      {
        ...minimal(),
        messages: [
          user('a'),
          assistant([{ type: 'tool_use', id: 't1', name: 'f', input: {} }]),
          user([{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }]),
          user([{ type: 'tool_result', content: 'no id' }]),
        ],
      },
      'messages[3].content[0].tool_use_id: is required',
    ],
    [{ ...minimal(), system: [{ type: 'text' }] }, 'system[0].text: is required'],
    [
      { ...minimal(), messages: [assistant([{ type: 'tool_use', id: 'x', name: 'f', input: 'ls' }])] },
      'messages[0].content[0].input: expected record, received string',
    ],
    ['not an object', 'the request body must be a JSON object'],
  ])('case %#', (body, message) => {
    expect(() => decode(body)).toThrow(
      expect.objectContaining({ code: 'invalid_request', status: 400, message }),
    );
  });
});
