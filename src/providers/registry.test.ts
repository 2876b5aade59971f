import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../config/schema.js';
import { buildProviders } from './registry.js';

const context = { env: {}, home: '/tmp/nodex-home', configPath: '/etc/nodex.yaml' };

describe('buildProviders', () => {
  it('always has the built-in mock provider', () => {
    const built = buildProviders(ConfigSchema.parse({}), context);
    expect([...built.providers.keys()]).toEqual(['gemini', 'mock']);
    expect(built.entries.find((e) => e.id === 'mock')).toEqual({ id: 'mock', kind: 'mock', patterns: [] });
    expect(built.skipped.map((s) => s.id)).toEqual(['anthropic', 'codex']);
  });

  it('builds extra instances of a kind by `type`, with their patterns, and honours enabled:false', () => {
    const config = ConfigSchema.parse({
      providers: { bench: { type: 'mock', mode: 'text', patterns: ['bench-*'] }, mock: { enabled: false } },
    });
    const built = buildProviders(config, context);
    expect([...built.providers.keys()]).toEqual(['bench', 'gemini']);
    expect(built.entries[0]).toEqual({ id: 'bench', kind: 'mock', patterns: ['bench-*'] });
  });

  it('validates each section with its provider’s schema and names the key path', () => {
    const bad = ConfigSchema.parse({ providers: { mock: { mode: 'loud' } } });
    expect(() => buildProviders(bad, context)).toThrow(/\/etc\/nodex\.yaml: providers\.mock\.mode: .*echo/);
    const unknownKey = ConfigSchema.parse({ providers: { mock: { dleta_size: 3 } } });
    expect(() => buildProviders(unknownKey, context)).toThrow(
      /providers\.mock: Unrecognized key: "dleta_size"/,
    );
    const unknownType = ConfigSchema.parse({ providers: { x: { type: 'carrier-pigeon' } } });
    expect(() => buildProviders(unknownType, context)).toThrow(
      /providers\.x\.type: unknown provider type "carrier-pigeon"/,
    );
  });
});
