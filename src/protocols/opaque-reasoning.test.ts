import { describe, expect, it } from 'vitest';
import type { ReasoningItem } from '../core/request.js';
import { isPackedReasoning, OPAQUE_PREFIX, packReasoning, unpackReasoning } from './opaque-reasoning.js';

describe('opaque reasoning tokens', () => {
  it('round-trip a reasoning item with provider data exactly', () => {
    const item: ReasoningItem = {
      type: 'reasoning',
      summary: ['a', 'b'],
      text: 'thinking…',
      provider_data: { anthropic: { signature: 'EqQBCgIYAhIM' } },
    };
    const token = packReasoning(item);
    expect(token.startsWith(OPAQUE_PREFIX)).toBe(true);
    expect(isPackedReasoning(token)).toBe(true);
    expect(unpackReasoning(token, 'rs_1')).toEqual({ ...item, id: 'rs_1' });
    const codex: ReasoningItem = { type: 'reasoning', summary: [], encrypted_content: 'gAAAA-native' };
    expect(unpackReasoning(packReasoning(codex))).toEqual(codex);
  });

  it('rejects foreign and damaged tokens', () => {
    expect(isPackedReasoning('gAAAAB-real-codex')).toBe(false);
    expect(unpackReasoning('gAAAAB-real-codex')).toBeUndefined();
    expect(unpackReasoning(`${OPAQUE_PREFIX}!!!not-base64`)).toBeUndefined();
    expect(unpackReasoning(`${OPAQUE_PREFIX}${Buffer.from('[1,2]').toString('base64url')}`)).toBeUndefined();
  });
});
