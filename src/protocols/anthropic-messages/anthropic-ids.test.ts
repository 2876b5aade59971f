import { describe, expect, it } from 'vitest';
import { anthropicMessageId, fromAnthropicToolId, toAnthropicToolId } from './anthropic-ids.js';

const VALID = /^[a-zA-Z0-9_-]+$/;

describe('tool ids', () => {
  it.each(['call_Pq7rS8tU9vW0', 'toolu_01A09q90qw90lq917835lq9', 'r8k2pq0d', 'fc-1'])(
    '%s passes unchanged',
    (id) => {
      expect(toAnthropicToolId(id)).toBe(id);
      expect(fromAnthropicToolId(id)).toEqual({ callId: id });
    },
  );

  it.each(['call.1', 'fc:abc/def', '', 'ünï', 'toolu_nx_Y2FsbC4x', 'toolu_nxd_x'])(
    '%j is encoded to a valid id and restored exactly',
    (id) => {
      const encoded = toAnthropicToolId(id);
      expect(encoded).toMatch(VALID);
      expect(encoded).not.toBe(id);
      expect(fromAnthropicToolId(encoded)).toEqual({ callId: id });
    },
  );

  it('provider data rides in the id and comes back', () => {
    const data = { 'openai-compatible': { extra_content: { google: { thought_signature: 'CiQB+/=' } } } };
    const encoded = toAnthropicToolId('r8k2pq0d', data);
    expect(encoded).toMatch(VALID);
    expect(fromAnthropicToolId(encoded)).toEqual({ callId: 'r8k2pq0d', providerData: data });
  });

  it('ids that only look encoded are the client’s own', () => {
    expect(fromAnthropicToolId('toolu_nx_!!')).toEqual({ callId: 'toolu_nx_!!' });
    expect(fromAnthropicToolId('toolu_nxd_bm90IGpzb24')).toEqual({ callId: 'toolu_nxd_bm90IGpzb24' });
  });
});

describe('anthropicMessageId', () => {
  it.each([
    ['msg_01X', 'msg_01X'],
    ['resp_abc', 'msg_abc'],
    ['chatcmpl-xyz', 'msg_xyz'],
    ['Yq7bX1cPMd-vkdUPs8nI9Rt', 'msg_Yq7bX1cPMd-vkdUPs8nI9Rt'],
    ['', 'msg_123'],
  ])('%j → %s', (id, expected) => {
    expect(anthropicMessageId(id, 'req_123')).toBe(expected);
  });
});
