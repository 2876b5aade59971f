import type { ModelInfo } from '../core/provider.js';

/** An alias that follows the newest model of a family on one provider (`nodex aliases update`). */
export interface AliasFamily {
  readonly alias: string;
  readonly provider: string;
  readonly matches: (id: string) => boolean;
}

const starts =
  (prefix: string, ...excluding: string[]) =>
  (id: string) =>
    id.startsWith(prefix) && !excluding.some((x) => id.includes(x));

/** The families of seeds-spec §A.9, with nodex's provider ids. */
export const ALIAS_FAMILIES: readonly AliasFamily[] = [
  { alias: 'opus', provider: 'anthropic', matches: starts('claude-opus-') },
  { alias: 'sonnet', provider: 'anthropic', matches: starts('claude-sonnet-') },
  { alias: 'haiku', provider: 'anthropic', matches: starts('claude-haiku-') },
  { alias: 'gemini', provider: 'gemini', matches: (id) => /^gemini-[\d.]+-pro(-|$)/.test(id) },
  {
    alias: 'flash',
    provider: 'gemini',
    matches: (id) => /^gemini-[\d.]+-flash(-|$)/.test(id) && !id.includes('-lite'),
  },
  { alias: 'codex', provider: 'codex', matches: (id) => /^gpt-[\d.]+-codex$/.test(id) },
  { alias: 'codex-mini', provider: 'codex', matches: (id) => /^gpt-[\d.]+-codex-mini$/.test(id) },
  { alias: 'gpt', provider: 'codex', matches: (id) => /^gpt-5(\.\d+)*$/.test(id) },
  { alias: 'gpt-mini', provider: 'codex', matches: (id) => /^gpt-5(\.\d+)*-mini$/.test(id) },
];

const UNSTABLE = /(preview|exp|experimental|latest|beta)/i;

/** Version numbers in an id, dates (8 digits) apart: `claude-sonnet-4-5-20250929` → [4, 5] + 20250929. */
function versionOf(id: string): { numbers: number[]; date: number } {
  const numbers: number[] = [];
  let date = 0;
  for (const token of id.match(/\d+/g) ?? []) {
    if (token.length === 8) date = Number(token);
    else numbers.push(Number(token));
  }
  return { numbers, date };
}

function compareVersions(a: ModelInfo, b: ModelInfo): number {
  const va = versionOf(a.id);
  const vb = versionOf(b.id);
  for (let i = 0; i < Math.max(va.numbers.length, vb.numbers.length); i++) {
    const diff = (va.numbers[i] ?? -1) - (vb.numbers[i] ?? -1);
    if (diff !== 0) return diff;
  }
  // Same version: the undated id is the moving one users want (`claude-sonnet-4-5` over its dated twin).
  if ((va.date === 0) !== (vb.date === 0)) return va.date === 0 ? 1 : -1;
  if (va.date !== vb.date) return va.date - vb.date;
  return (a.created_at ?? 0) - (b.created_at ?? 0) || b.id.localeCompare(a.id);
}

/**
 * The newest model of a family: highest version (numeric, so `gpt-5.10` beats `gpt-5.9`), stable
 * ids before previews when there is a stable one. Undefined when nothing matches.
 *
 * @example
 * newestOf(ALIAS_FAMILIES[1], [{ id: 'claude-sonnet-4-5', provider: 'anthropic' }, { id: 'claude-sonnet-4-6', provider: 'anthropic' }]);
 * // 'claude-sonnet-4-6'
 */
export function newestOf(family: AliasFamily, models: readonly ModelInfo[]): string | undefined {
  const candidates = models.filter((m) => family.matches(m.id));
  const stable = candidates.filter((m) => !UNSTABLE.test(m.id));
  const pool = stable.length > 0 ? stable : candidates;
  return [...pool].sort(compareVersions).at(-1)?.id;
}
