import { describe, expect, it } from 'vitest';
import { fixtureJson } from '../../testing/fixtures.js';
import { AnthropicModelCatalog, parseAnthropicModels } from './anthropic-models.js';
import { parseAnthropicQuota } from './anthropic-quota.js';

describe('parseAnthropicModels', () => {
  it('reads the fixture page: ids, names, created_at, limits; no next page', () => {
    const parsed = parseAnthropicModels(fixtureJson('anthropic-models-list.json'), 'anthropic');
    expect(parsed?.next).toBeUndefined();
    expect(parsed?.models[0]).toEqual({
      id: 'claude-opus-4-8',
      provider: 'anthropic',
      display_name: 'Claude Opus 4.8',
      created_at: 1_780_272_000,
      context_window: 200_000,
      output_limit: 64_000,
    });
    expect(parseAnthropicModels({ models: [] }, 'anthropic')).toBeUndefined();
  });

  it('the catalog refetches after 5 minutes, not before', async () => {
    let now = 0;
    let calls = 0;
    const catalog = new AnthropicModelCatalog({
      provider: 'anthropic',
      now: () => now,
      fetchPage: async () => {
        calls += 1;
        return fixtureJson('anthropic-models-list.json');
      },
    });
    await catalog.list();
    now = 299_999;
    await catalog.list();
    expect(calls).toBe(1);
    now = 300_000;
    await catalog.list();
    expect(calls).toBe(2);
  });
});

describe('parseAnthropicQuota', () => {
  it('reads the unified windows; nothing for API-key responses', () => {
    expect(
      parseAnthropicQuota(
        {
          'anthropic-ratelimit-unified-status': 'rejected',
          'anthropic-ratelimit-unified-5h-status': 'rejected',
          'anthropic-ratelimit-unified-5h-reset': '1767240000',
          'anthropic-ratelimit-unified-7d-status': 'allowed',
        },
        'anthropic',
      ),
    ).toEqual({
      provider: 'anthropic',
      primary: { window_minutes: 300, status: 'rejected', resets_at: 1_767_240_000 },
      secondary: { window_minutes: 10_080, status: 'allowed' },
    });
    expect(parseAnthropicQuota({ 'anthropic-ratelimit-unified-status': 'allowed' }, 'a')).toEqual({
      provider: 'a',
      primary: { window_minutes: 300, status: 'allowed' },
    });
    expect(parseAnthropicQuota({ 'anthropic-ratelimit-requests-limit': '50' }, 'anthropic')).toBeUndefined();
  });
});
