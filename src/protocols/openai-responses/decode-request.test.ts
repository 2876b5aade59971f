import { describe, expect, it } from 'vitest';
import { fixtureJson } from '../../testing/fixtures.js';
import { decodeResponsesRequest } from './decode-request.js';
import type { RequestIssue } from './request-issues.js';

function decode(body: Record<string, unknown>) {
  const issues: RequestIssue[] = [];
  const decoded = decodeResponsesRequest(body, {
    onIssue: (i) => issues.push(i),
    defaultModel: 'default-model',
  });
  return { ...decoded, issues };
}

describe('decodeResponsesRequest', () => {
  it('decodes the Codex request fixture body without issues and keeps every setting', () => {
    const { body } = fixtureJson<{ body: Record<string, unknown> }>('codex-request.json');
    const { request, stream, store, issues } = decode(body);
    expect(issues).toEqual([]);
    expect(stream).toBe(true);
    expect(store).toBe(false);
    expect(request.model).toBe(body.model);
    expect(request.input.length).toBe((body.input as unknown[]).length);
    expect(request.reasoning).toEqual(body.reasoning);
    expect(request.prompt_cache_key).toBe(body.prompt_cache_key);
  });

  it('reports and drops invalid values, keeps valid ones, defaults the model', () => {
    const { request, issues } = decode({
      input: 'hi',
      temperature: 3,
      top_p: 0,
      max_output_tokens: 1.5,
      metadata: { a: 1 },
      parallel_tool_calls: 'yes',
      include: [1],
      truncation: 'sometimes',
      service_tier: 'priority',
      reasoning: { effort: 'extreme', summary: 'detailed' },
      tool_choice: 'maybe',
      weird: true,
    });
    expect(request).toEqual({
      model: 'default-model',
      input: [{ type: 'message', role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      reasoning: { summary: 'detailed' },
    });
    expect(issues.map((i) => i.code)).toEqual([
      'unsupported_parameter',
      'invalid_tool_choice',
      'invalid_reasoning_effort',
      'out_of_range_max_output_tokens',
      'out_of_range_temperature',
      'out_of_range_top_p',
      'invalid_metadata',
      'invalid_parallel_tool_calls',
      'invalid_include',
      'service_tier_ignored',
      'invalid_truncation',
    ]);
  });

  it('marks what can never pass as fatal', () => {
    const fatal = (body: Record<string, unknown>) =>
      decode({ input: 'x', ...body })
        .issues.filter((i) => i.fatal)
        .map((i) => i.code);
    expect(fatal({ reasoning: 'high' })).toEqual(['invalid_reasoning']);
    expect(fatal({ tools: [{ type: 'function' }] })).toEqual(['invalid_tool']);
    expect(fatal({ text: { format: { type: 'json_schema' } } })).toEqual(['invalid_text_format']);
    expect(decodeResponsesRequest({ input: 'x' }, { onIssue: () => undefined }).request.model).toBe('');
  });

  it('reads json_schema formats, tool_choice forms and previous_response_id', () => {
    const { request, previousResponseId, store } = decode({
      model: 'm',
      input: [],
      text: { format: { type: 'json_schema', name: 'w', schema: { type: 'object' }, strict: true } },
      tool_choice: { type: 'function', function: { name: 'f' } },
      previous_response_id: 'resp_1',
      store: true,
    });
    expect(request.text).toEqual({
      format: { type: 'json_schema', name: 'w', schema: { type: 'object' }, strict: true },
    });
    expect(request.tool_choice).toEqual({ type: 'function', name: 'f' });
    expect(previousResponseId).toBe('resp_1');
    expect(store).toBe(true);
  });
});
