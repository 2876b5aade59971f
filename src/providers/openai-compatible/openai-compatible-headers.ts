import type { Env } from '../../config/paths.js';

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export interface ExpandedHeaders {
  readonly headers: Record<string, string>;
  /** Header names whose value came from a variable: redacted when logged. */
  readonly secret: string[];
  /** Variables referenced but unset or empty. */
  readonly missing: string[];
}

/**
 * Expands `$VAR` and `${VAR}` in header values from the environment (`$$` is a literal `$`).
 * Header names are lower-cased.
 *
 * @example
 * expandHeaders({ 'X-Org': '$ORG' }, { ORG: 'o-1' }).headers; // { 'x-org': 'o-1' }
 */
export function expandHeaders(headers: Readonly<Record<string, string>>, env: Env): ExpandedHeaders {
  const out: Record<string, string> = {};
  const secret: string[] = [];
  const missing: string[] = [];
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    let usedVariable = false;
    out[name] = value.replace(VARIABLE, (_match, braced?: string, bare?: string) => {
      const variable = braced ?? bare;
      if (!variable) return '$';
      usedVariable = true;
      const resolved = env[variable];
      if (!resolved) missing.push(variable);
      return resolved ?? '';
    });
    if (usedVariable) secret.push(name);
  }
  return { headers: out, secret, missing };
}
