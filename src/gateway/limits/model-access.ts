import type { KeyPolicy } from '../../config/schema.js';
import { NodexError } from '../../core/errors.js';
import { globToRegExp } from '../../routing/glob.js';

/**
 * Whether a key's policy lets it use `model`: `policy.models` holds patterns (`*` any run, `?` one
 * character, case-insensitive, whole name). No list means every model; an empty list means none.
 *
 * @example
 * modelAllowed({ models: ['gpt-*'] }, 'GPT-5'); // true
 * modelAllowed({ models: ['gpt-*'] }, 'claude-sonnet-4-5'); // false
 */
export function modelAllowed(policy: KeyPolicy, model: string): boolean {
  if (policy.models === undefined) return true;
  return policy.models.some((pattern) => globToRegExp(pattern).test(model));
}

/**
 * Throws `permission_denied` (403) when the caller's key may not use `model`.
 *
 * @example
 * checkModel({ keyId: 'k1', policy: { models: ['gpt-*'] } }, 'o3'); // throws: this key may not use model "o3"
 */
export function checkModel(caller: { readonly policy: KeyPolicy }, model: string): void {
  if (!modelAllowed(caller.policy, model))
    throw new NodexError('permission_denied', `this key may not use model "${model}"`, { param: 'model' });
}
