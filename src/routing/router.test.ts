import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../config/schema.js';
import { NodexError } from '../core/errors.js';
import type { Provider } from '../core/provider.js';
import { MockProvider } from '../providers/mock/mock-provider.js';
import { createRouter } from './create-router.js';
import { globToRegExp } from './glob.js';
import { Router } from './router.js';

const fake = (id: string): Provider => new MockProvider({ id });

describe('globToRegExp', () => {
  it('matches * and ? case-insensitively; other characters literally', () => {
    expect(globToRegExp('gpt-*').test('GPT-5.5')).toBe(true);
    expect(globToRegExp('o3').test('o3-mini')).toBe(false);
    expect(globToRegExp('llama-?b').test('llama-7b')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('groq/*').test('groq/llama-3')).toBe(true);
  });
});

describe('Router', () => {
  const providers = new Map([
    ['codex', fake('codex')],
    ['anthropic', fake('anthropic')],
    ['mock', fake('mock')],
    ['my-vllm', fake('my-vllm')],
  ]);

  it('routes by built-in prefixes, including bare o1/o3', () => {
    const router = new Router({ providers });
    expect(router.route('gpt-5.5').provider.id).toBe('codex');
    expect(router.route('o3').provider.id).toBe('codex');
    expect(router.route('o3-mini').provider.id).toBe('codex');
    expect(router.route('claude-opus-4-8').provider.id).toBe('anthropic');
    expect(router.route('mock-text').provider.id).toBe('mock');
  });

  it('expands aliases (user aliases over built-ins, case-insensitive) and reports the alias', () => {
    const router = new Router({ providers, aliases: { Sonnet: 'claude-sonnet-4-6', fast: 'mock-text' } });
    expect(router.route('sonnet')).toMatchObject({ model: 'claude-sonnet-4-6', alias: 'sonnet' });
    expect(router.route('FAST')).toMatchObject({ model: 'mock-text', alias: 'FAST' });
    expect(router.route('opus').model).toBe('claude-opus-4-5');
    expect(router.route('gpt-5.5').alias).toBeUndefined();
  });

  it('user rules come first, in order; an alias value does not claim a model for another provider', () => {
    const router = new Router({
      providers,
      aliases: { gemini: 'gemini-2.5-pro' },
      rules: [
        { pattern: 'qwen-*', provider: 'my-vllm', source: 'routing.patterns' },
        { pattern: 'gpt-oss-*', provider: 'my-vllm', source: 'provider' },
      ],
    });
    expect(router.route('qwen-2.5-coder').provider.id).toBe('my-vllm');
    expect(router.route('gpt-oss-20b').provider.id).toBe('my-vllm');
    expect(router.route('gpt-5').provider.id).toBe('codex');
    expect(router.match('gemini')?.provider).toBe('gemini');
  });

  it('unknown models are model_not_found; models of a provider that could not start say why', () => {
    const router = new Router({ providers, unavailable: new Map([['gemini', 'set GEMINI_API_KEY']]) });
    expect(() => router.route('llama-3')).toThrow(expect.objectContaining({ code: 'model_not_found' }));
    try {
      router.route('gemini-2.5-flash');
      expect.unreachable();
    } catch (error) {
      expect(NodexError.isInstance(error) && error.code).toBe('provider_unavailable');
      expect((error as Error).message).toBe(
        'model "gemini-2.5-flash" routes to provider "gemini": set GEMINI_API_KEY',
      );
    }
    expect(() => new Router({ providers: new Map() }).route('gpt-5')).toThrow(
      'provider "codex" is not configured',
    );
  });

  it('createRouter orders routing.patterns before provider patterns before built-ins', () => {
    const config = ConfigSchema.parse({ routing: { patterns: [{ pattern: 'gpt-5*', provider: 'mock' }] } });
    const router = createRouter(config, {
      providers,
      entries: [{ id: 'my-vllm', patterns: ['gpt-*'] }],
      skipped: [],
    });
    expect(router.route('gpt-5.5').provider.id).toBe('mock');
    expect(router.route('gpt-4o').provider.id).toBe('my-vllm');
    expect(router.rules.map((r) => r.source).slice(0, 3)).toEqual([
      'routing.patterns',
      'provider',
      'built-in',
    ]);
  });
});
