import type { CallbackParams } from '../callback-result.js';

/**
 * Reads the query of what the user pasted: the full redirect URL
 * (`http://localhost:1455/auth/callback?code=…&state=…`), or just its query (`?code=…&state=…`).
 * Surrounding quotes and whitespace are ignored.
 *
 * @example
 * parsePastedRedirect('http://localhost:1455/auth/callback?code=abc&state=xyz').code; // 'abc'
 */
export function parsePastedRedirect(text: string): CallbackParams {
  const trimmed = text.trim().replace(/^["'<]+|["'>]+$/g, '');
  let query: string;
  try {
    query = new URL(trimmed).search;
  } catch {
    query = trimmed.includes('?') ? trimmed.slice(trimmed.indexOf('?')) : trimmed;
  }
  const params = new URLSearchParams(query);
  return {
    code: params.get('code'),
    state: params.get('state'),
    error: params.get('error'),
    error_description: params.get('error_description'),
  };
}
