import type { z } from 'zod';
import type { RefreshLock } from '../auth/refresh-lock.js';
import type { Env } from '../config/paths.js';
import type { Provider } from '../core/provider.js';

/** What a factory may read while building a provider. */
export interface ProviderBuildContext {
  readonly env: Env;
  /** NODEX_HOME. */
  readonly home: string;
  /** Non-fatal notices from a provider's setup or credentials (a refreshed token that could not be saved). */
  readonly onWarning?: (message: string) => void;
  /** Held around each OAuth refresh: one at a time across gateway instances sharing a login. */
  readonly refreshLock?: RefreshLock;
  /** Called after a provider refreshed its credentials. */
  readonly onAuthRefresh?: (info: { readonly provider: string; readonly accountId?: string }) => void;
}

/**
 * How one provider kind is configured and built. A factory throws ProviderUnavailableError when the
 * provider cannot start (a missing key variable, no credentials): the registry skips it with one
 * warning and remembers why, so a request routed to it gets that reason back.
 */
export interface ProviderFactory<Options = unknown> {
  readonly kind: string;
  /** Validates `providers.<id>` (without the common `type`/`enabled`/`patterns` keys handled here). */
  readonly schema: z.ZodType<Options>;
  /** Whether the provider is set up with no config section at all (the mock, say). */
  readonly builtIn: boolean;
  create(id: string, options: Options, context: ProviderBuildContext): Provider;
}

/** The provider cannot start; `reason` says what to do about it (`set GEMINI_API_KEY`). */
export class ProviderUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ProviderUnavailableError';
  }
}
