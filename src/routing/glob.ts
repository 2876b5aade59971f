/**
 * Compiles a model pattern to a case-insensitive matcher: `*` matches any run of characters, `?`
 * one character, anything else itself. A pattern without wildcards matches exactly (so `o3` does
 * not catch `o3-mini`; write `o3-*` for that).
 *
 * @example
 * globToRegExp('gpt-*').test('GPT-5.5'); // true
 */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.+()[\]{}|]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'i');
}
