import { describe, expect, it } from 'vitest';
import type { ModelInfo, Provider } from '../core/provider.js';
import { MockProvider } from '../providers/mock/mock-provider.js';
import { ALIAS_FAMILIES, newestOf } from './alias-families.js';
import { ModelDirectory } from './model-directory.js';
import { Router } from './router.js';

function listing(id: string, lists: Array<readonly ModelInfo[] | Error>): Provider & { calls: number } {
  const provider = {
    ...new MockProvider({ id }),
    id,
    kind: 'test',
    calls: 0,
    stream: new MockProvider().stream,
    capabilities: new MockProvider().capabilities,
    async listModels() {
      const next = lists[Math.min(provider.calls, lists.length - 1)];
      provider.calls += 1;
      if (next instanceof Error) throw next;
      return next ?? [];
    },
  };
  return provider;
}

describe('ModelDirectory', () => {
  it('caches for the TTL, then serves the stale list while one background refresh runs', async () => {
    let now = 0;
    const host = listing('vllm', [[{ id: 'a', provider: 'vllm' }], [{ id: 'b', provider: 'vllm' }]]);
    const directory = new ModelDirectory({ providers: () => [host], now: () => now, ttlMs: 1000 });
    expect((await directory.list()).map((m) => m.id)).toEqual(['a']);
    now = 500;
    expect((await directory.list()).map((m) => m.id)).toEqual(['a']);
    expect(host.calls).toBe(1);
    now = 1500;
    expect((await directory.list()).map((m) => m.id)).toEqual(['a']); // stale, answered at once
    await Promise.all([directory.list(), directory.list()]);
    expect(host.calls).toBe(2); // one refresh, however many callers
    await new Promise((r) => setTimeout(r, 0));
    now = 1600;
    expect((await directory.list()).map((m) => m.id)).toEqual(['b']);
  });

  it('keeps the last good list when a provider fails, and reports it', async () => {
    let now = 0;
    const host = listing('vllm', [[{ id: 'a', provider: 'vllm' }], new Error('down')]);
    const warnings: string[] = [];
    const directory = new ModelDirectory({
      providers: () => [host],
      now: () => now,
      ttlMs: 10,
      onWarning: (w) => warnings.push(w.details),
    });
    await directory.list();
    now = 100;
    await directory.list();
    await new Promise((r) => setTimeout(r, 0));
    expect((await directory.list()).map((m) => m.id)).toEqual(['a']);
    expect(warnings).toEqual(['vllm: cannot list models (down)']);
    expect(directory.providerOf('A')).toBe('vllm');
  });

  it('lets the router reach models only discovery knows, after every pattern', async () => {
    const host = listing('vllm', [[{ id: 'llama-3-70b', provider: 'vllm' }]]);
    const directory = new ModelDirectory({ providers: () => [host] });
    const router = new Router({
      providers: new Map([['vllm', host as Provider]]),
      discovered: (m) => directory.providerOf(m),
    });
    expect(() => router.route('llama-3-70b')).toThrow(/no provider serves/);
    await directory.list();
    expect(router.route('llama-3-70b').provider.id).toBe('vllm');
    expect(router.match('llama-3-70b')?.source).toBe('discovery');
  });
});

describe('newestOf (alias families)', () => {
  const family = (alias: string) =>
    ALIAS_FAMILIES.find((f) => f.alias === alias) as (typeof ALIAS_FAMILIES)[number];
  const models = (...ids: string[]) => ids.map((id) => ({ id, provider: 'x' }));

  it('compares versions numerically and prefers undated ids and stable releases', () => {
    expect(
      newestOf(
        family('sonnet'),
        models('claude-sonnet-4-5-20250929', 'claude-sonnet-4-5', 'claude-sonnet-4-6', 'claude-opus-4-8'),
      ),
    ).toBe('claude-sonnet-4-6');
    expect(newestOf(family('sonnet'), models('claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'))).toBe(
      'claude-sonnet-4-5',
    );
    expect(
      newestOf(family('codex'), models('gpt-5.9-codex', 'gpt-5.10-codex', 'gpt-5.10-codex-mini', 'gpt-5.11')),
    ).toBe('gpt-5.10-codex');
    expect(
      newestOf(family('gemini'), models('gemini-2.5-pro', 'gemini-3-pro-preview', 'gemini-2.5-flash')),
    ).toBe('gemini-2.5-pro');
    expect(newestOf(family('gemini'), models('gemini-3-pro-preview'))).toBe('gemini-3-pro-preview');
    expect(
      newestOf(family('flash'), models('gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-3-flash')),
    ).toBe('gemini-3-flash');
    expect(newestOf(family('haiku'), models('claude-opus-4-8'))).toBeUndefined();
  });
});
