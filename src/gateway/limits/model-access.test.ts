import { describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import { checkModel, modelAllowed } from './model-access.js';

describe('modelAllowed', () => {
  it('allows every model without a list and none with an empty one', () => {
    expect(modelAllowed({}, 'gpt-5')).toBe(true);
    expect(modelAllowed({ models: [] }, 'gpt-5')).toBe(false);
  });

  it('matches whole names with * and ?, ignoring case', () => {
    const policy = { models: ['gpt-*', 'claude-sonnet-4-?', 'o3'] };
    expect(modelAllowed(policy, 'GPT-5.5')).toBe(true);
    expect(modelAllowed(policy, 'claude-sonnet-4-5')).toBe(true);
    expect(modelAllowed(policy, 'claude-sonnet-4-50')).toBe(false);
    expect(modelAllowed(policy, 'o3')).toBe(true);
    expect(modelAllowed(policy, 'o3-mini')).toBe(false);
    expect(modelAllowed(policy, 'my-gpt-5')).toBe(false);
  });

  it('treats other regex characters literally', () => {
    expect(modelAllowed({ models: ['qwen2.5-*'] }, 'qwen2.5-72b')).toBe(true);
    expect(modelAllowed({ models: ['qwen2.5-*'] }, 'qwen2x5-72b')).toBe(false);
  });
});

describe('checkModel', () => {
  it('throws permission_denied (403) naming the model', () => {
    const caller = { keyId: 'k1', policy: { models: ['gpt-*'] } };
    expect(() => checkModel(caller, 'gpt-5')).not.toThrow();
    let thrown: unknown;
    try {
      checkModel(caller, 'claude-opus-4-1');
    } catch (error) {
      thrown = error;
    }
    expect(NodexError.isInstance(thrown)).toBe(true);
    expect(thrown).toMatchObject({
      code: 'permission_denied',
      status: 403,
      param: 'model',
      message: 'this key may not use model "claude-opus-4-1"',
    });
  });
});
