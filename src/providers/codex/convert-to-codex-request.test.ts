import { describe, expect, it } from 'vitest';
import type { CanonicalRequest } from '../../core/request.js';
import { userText } from '../../core/request.js';
import { collectWarnings } from '../../core/warnings.js';
import { fixtureJson } from '../../testing/fixtures.js';
import { CodexNames, shortenCodexName } from './codex-names.js';
import { convertToCodexRequest } from './convert-to-codex-request.js';

const BASE = {
  reasoning: { effort: 'medium', summary: 'auto' },
  store: false,
  stream: true,
  include: ['reasoning.encrypted_content'],
};

function convert(request: CanonicalRequest, options = {}) {
  const { warnings, sink } = collectWarnings();
  const { body, names } = convertToCodexRequest(request, options, sink);
  return { body, names, warnings };
}

describe('convertToCodexRequest', () => {
  it('rebuilds the accepted request of codex-request.json from its canonical form', () => {
    const expected = fixtureJson<{ body: Record<string, unknown> }>('codex-request.json').body;
    const { text: _verbosity, ...body } = expected;
    const { body: got, warnings } = convert({
      model: 'gpt-5.5',
      instructions: 'You are a helpful assistant.',
      input: [
        {
          type: 'message',
          role: 'system',
          content: [{ type: 'text', text: 'Follow the repository conventions.' }],
        },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'text', text: 'List the files in /tmp' },
            { type: 'image', image_url: 'data:image/png;base64,iVBORw0KGgo=' },
          ],
        },
        {
          type: 'reasoning',
          id: 'rs_x',
          summary: [],
          encrypted_content:
            'gAAAAABpWNlbkNvZGV4RmFrZUVuY3J5cHRlZFJlYXNvbmluZzAwMDJfX2NvbnN0cnVjdGVkX2ZpeHR1cmVfbm90X3JlYWxfX19fX19fX19fX19fX19fX19fX19fX18=',
        },
        {
          type: 'function_call',
          id: 'fc_x',
          call_id: 'call_Xk3b9QmT2vL8pR4sN6wY1zA0',
          name: 'shell',
          arguments: '{"command":["bash","-lc","ls -la"],"workdir":"/tmp"}',
        },
        { type: 'function_call_output', call_id: 'call_Xk3b9QmT2vL8pR4sN6wY1zA0', output: 'total 0\n' },
        {
          type: 'message',
          role: 'assistant',
          id: 'msg_x',
          content: [{ type: 'text', text: '/tmp is empty.' }],
        },
        userText('Thanks'),
      ],
      tools: (expected.tools as CanonicalRequest['tools']) ?? [],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      prompt_cache_key: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    });
    // nodex sends no `text.verbosity` (the canonical request has no such knob).
    expect(got).toEqual(body);
    expect(warnings).toEqual([]);
  });

  it('builtin tools, json_object, and the configured defaults', () => {
    const { body, warnings } = convert(
      {
        model: 'gpt-5.5',
        input: [userText('search')],
        tools: [{ type: 'builtin', name: 'web_search', config: { search_context_size: 'low' } }],
        tool_choice: 'required',
        text: { format: { type: 'json_object' } },
      },
      { defaultInstructions: 'sys', reasoningDefault: { effort: 'high' } },
    );
    expect(body).toEqual({
      model: 'gpt-5.5',
      instructions: 'sys',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'search' }] }],
      tools: [{ type: 'web_search', search_context_size: 'low' }],
      tool_choice: 'required',
      ...BASE,
      reasoning: { effort: 'high', summary: 'auto' },
      text: { format: { type: 'json_object' } },
    });
    expect(warnings).toEqual([]);
  });

  it('Anthropic server tools: web search becomes codex web_search, the others are dropped with a warning', () => {
    // Claude Code's WebSearch runs a side request whose only tool is Anthropic's server web search
    // (`{type:'web_search_20250305', name:'web_search', max_uses:8}`); the Messages decoder keeps the
    // wire type in `config.type`. Codex rejects tool fields and types it does not know.
    const { body, warnings } = convert({
      model: 'gpt-5.5',
      input: [userText('Perform a web search for the query: nodex')],
      tools: [
        { type: 'builtin', name: 'web_search', config: { type: 'web_search_20250305', max_uses: 8 } },
        {
          type: 'builtin',
          name: 'web_search',
          config: {
            type: 'web_search_20260209',
            allowed_domains: ['example.com'],
            blocked_domains: null,
            user_location: { type: 'approximate', city: 'Paris', country: 'FR', unknown: 1 },
          },
        },
        { type: 'builtin', name: 'bash', config: { type: 'bash_20250124' } },
        { type: 'builtin', name: 'str_replace_based_edit_tool', config: { type: 'text_editor_20250728' } },
      ],
    });
    expect(body.tools).toEqual([
      { type: 'web_search', external_web_access: true },
      {
        type: 'web_search',
        external_web_access: true,
        filters: { allowed_domains: ['example.com'] },
        user_location: { type: 'approximate', city: 'Paris', country: 'FR' },
      },
    ]);
    expect(warnings).toEqual([
      {
        feature: 'tools.builtin',
        details: 'codex web_search has no max_uses (from web_search_20250305 web_search); dropped',
      },
      {
        feature: 'tools.builtin',
        details: 'codex has no equivalent of the bash_20250124 server tool (bash); dropped',
      },
      {
        feature: 'tools.builtin',
        details:
          'codex has no equivalent of the text_editor_20250728 server tool (str_replace_based_edit_tool); dropped',
      },
    ]);
    const onlyDropped = convert({
      model: 'gpt-5.5',
      input: [userText('x')],
      tools: [{ type: 'builtin', name: 'bash', config: { type: 'bash_20250124' } }],
    });
    expect(onlyDropped.body).not.toHaveProperty('tools');
  });

  it('drops what codex cannot take, each with a warning; skips empty assistant messages', () => {
    const { body, warnings } = convert({
      model: 'gpt-5.3-codex-spark',
      input: [
        userText('go'),
        { type: 'message', role: 'assistant', content: [{ type: 'image', image_url: 'https://x/y.png' }] },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'failed', is_error: true },
      ],
      reasoning: { effort: 'none' },
    });
    expect(body.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'go' }] },
      { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'failed' },
    ]);
    expect(body.reasoning).toEqual({ effort: 'low', summary: 'auto' });
    expect(warnings.map((w) => w.feature)).toEqual([
      'input.assistant_image',
      'function_call_output.is_error',
      'reasoning.effort',
    ]);
  });

  it('replays a custom_tool_call (from provider_data) as custom_tool_call + custom_tool_call_output', () => {
    const { body } = convert({
      model: 'gpt-5.5',
      input: [
        userText('patch it'),
        {
          type: 'function_call',
          call_id: 'call_p',
          name: 'apply_patch',
          arguments: '*** Begin Patch',
          provider_data: { codex: { item_type: 'custom_tool_call' } },
        },
        { type: 'function_call_output', call_id: 'call_p', output: [{ type: 'text', text: 'Done' }] },
      ],
    });
    expect(body.input.slice(1)).toEqual([
      { type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch', input: '*** Begin Patch' },
      { type: 'custom_tool_call_output', call_id: 'call_p', output: 'Done' },
    ]);
  });
});

describe('shortenCodexName', () => {
  it('keeps names within 64 chars, shortens longer ones deterministically and distinctly', () => {
    expect(shortenCodexName('short_name')).toBe('short_name');
    const a = `${'a'.repeat(60)}_one_suffix`;
    const b = `${'a'.repeat(60)}_two_suffix`;
    expect(shortenCodexName(a)).toHaveLength(64);
    expect(shortenCodexName(a)).toBe(shortenCodexName(a));
    expect(shortenCodexName(a)).not.toBe(shortenCodexName(b));
    expect(shortenCodexName(a)).toMatch(/^a{51}_[0-9a-f]{12}$/);
    const names = new CodexNames();
    expect(names.original(names.shorten(a))).toBe(a);
    expect(names.original('unknown')).toBe('unknown');
  });
});
