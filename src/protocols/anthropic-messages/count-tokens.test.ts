import { describe, expect, it } from 'vitest';
import { countInputTokens } from '../count-input-tokens.js';
import { decodeCountTokensRequest } from './count-tokens.js';

describe('decodeCountTokensRequest', () => {
  const body = {
    model: 'claude-sonnet-4-5',
    system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: 'hello' }],
    tools: [{ name: 'Bash', input_schema: { type: 'object' } }],
    thinking: { type: 'adaptive' },
  };

  it('decodes the pieces that are counted', async () => {
    const decoded = decodeCountTokensRequest(body);
    expect(decoded).toEqual({
      model: 'claude-sonnet-4-5',
      instructions: 'Be brief.',
      input: [{ type: 'message', role: 'user', content: [{ type: 'text', text: 'hello' }] }],
      tools: [{ type: 'function', name: 'Bash', parameters: { type: 'object' } }],
    });
    const withoutTools = decodeCountTokensRequest({ ...body, tools: undefined });
    expect(await countInputTokens(decoded)).toBeGreaterThan(await countInputTokens(withoutTools));
  });

  it('invalid messages and tools are 400s', () => {
    expect(() => decodeCountTokensRequest({ ...body, messages: [] })).toThrow(
      'messages: at least one message is required',
    );
    expect(() => decodeCountTokensRequest({ ...body, tools: [{ input_schema: {} }] })).toThrow(
      'tools[0].name: is required',
    );
  });
});
