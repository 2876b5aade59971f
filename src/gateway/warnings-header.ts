import type { Warning } from '../core/warnings.js';

const LIMIT = 4096;

/**
 * The `x-nodex-warnings` response header: what codecs dropped or approximated, as a JSON array of
 * `{feature, details}`, ASCII-escaped (headers must be ASCII) and cut to 4 KiB.
 *
 * @example
 * warningsHeader([{ feature: 'temperature', details: 'dropped' }]); // '[{"feature":"temperature","details":"dropped"}]'
 */
export function warningsHeader(warnings: readonly Warning[]): string | undefined {
  if (warnings.length === 0) return undefined;
  const out: Warning[] = [];
  let text = '[]';
  for (const warning of warnings) {
    const next = JSON.stringify([...out, warning]).replace(
      /[^\x20-\x7e]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    if (next.length > LIMIT) break;
    out.push(warning);
    text = next;
  }
  return text;
}
