/**
 * Opaque per-provider data carried on canonical items and events, so that what one upstream needs
 * back verbatim (Codex `encrypted_content`, an Anthropic thinking `signature`, a Gemini
 * `thought_signature`) survives a round trip through any client protocol. Keys are provider kinds
 * (`codex`, `anthropic`, `openai-compatible`, `mock`); values belong to that provider's codec only.
 *
 * @example
 * const data: ProviderData = { anthropic: { signature: 'EqQBCgIYAhIM…' } };
 */
export type ProviderData = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** Merges two provider-data slots; keys of `b` win, one level deep per provider. */
export function mergeProviderData(
  a: ProviderData | undefined,
  b: ProviderData | undefined,
): ProviderData | undefined {
  if (!a) return b;
  if (!b) return a;
  const out: Record<string, Readonly<Record<string, unknown>>> = { ...a };
  for (const [provider, value] of Object.entries(b)) out[provider] = { ...out[provider], ...value };
  return out;
}
