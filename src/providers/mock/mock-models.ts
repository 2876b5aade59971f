import type { ModelInfo } from '../../core/provider.js';

export const MOCK_MODES = ['echo', 'text', 'tool-call', 'tool-loop'] as const;

export type MockMode = (typeof MOCK_MODES)[number];

export function isMockMode(value: string): value is MockMode {
  return (MOCK_MODES as readonly string[]).includes(value);
}

/**
 * The mode a model name asks for: `mock-text` → `text`; `mock` (or any other name the caller routed
 * here) → undefined, meaning the provider's configured default.
 */
export function modeForModel(model: string): MockMode | undefined {
  const suffix = model.startsWith('mock-') ? model.slice('mock-'.length) : '';
  return isMockMode(suffix) ? suffix : undefined;
}

export function mockModels(providerId: string): ModelInfo[] {
  return [
    { id: 'mock', provider: providerId, display_name: 'Mock (default mode)' },
    ...MOCK_MODES.map((mode) => ({
      id: `mock-${mode}`,
      provider: providerId,
      display_name: `Mock (${mode})`,
    })),
  ];
}
