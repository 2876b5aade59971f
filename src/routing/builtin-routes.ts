/**
 * Built-in aliases (user aliases in `routing.aliases` win). Model names change often; `nodex
 * aliases update` can refresh them from live model lists.
 */
export const BUILTIN_ALIASES: Readonly<Record<string, string>> = {
  sonnet: 'claude-sonnet-4-5',
  opus: 'claude-opus-4-5',
  haiku: 'claude-haiku-4-5',
  gemini: 'gemini-2.5-pro',
  flash: 'gemini-2.5-flash',
  codex: 'gpt-5.3-codex',
};

/** Built-in model patterns, tried after the user's own (SPEC.md, Routing). */
export const BUILTIN_PATTERNS: ReadonlyArray<readonly [pattern: string, provider: string]> = [
  ['mock', 'mock'],
  ['mock-*', 'mock'],
  ['gpt-*', 'codex'],
  ['codex-*', 'codex'],
  ['o1', 'codex'],
  ['o1-*', 'codex'],
  ['o3', 'codex'],
  ['o3-*', 'codex'],
  ['o4-*', 'codex'],
  ['claude-*', 'anthropic'],
  ['gemini-*', 'gemini'],
];
