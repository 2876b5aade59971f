import type { Env } from '../config/paths.js';
import type { Provider } from '../core/provider.js';
import type { LoginOptions } from './codex-auth.js';
import type { NodexHooks } from './hooks.js';
import type { StoreBehavior, ValidationMode } from './validation.js';

/** `new Nodex(options)`. Everything is optional: with nothing, the config file and environment decide. */
export interface NodexOptions {
  /** Config file (default: $NODEX_CONFIG or ~/.config/nodex/config.yaml, if it exists). */
  readonly configPath?: string;
  /** Overrides for `providers.<id>` config sections (`{ codex: { base_url: … } }`). */
  readonly providerConfig?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * Extra provider instances (a MockProvider in tests, your own Provider). Each serves the models
   * `<id>` and `<id>-*` (before the built-in routes) and wins over a configured one with its id.
   */
  readonly providers?: readonly Provider[];
  /** Model used when a call gives none (default: `exec.model` of the config). */
  readonly defaultModel?: string;
  /** Retries of a failed upstream call before its first byte (default 2). */
  readonly maxRetries?: number;
  /** Milliseconds for a whole call, streaming included (default 600 000). */
  readonly timeout?: number;
  readonly validationMode?: ValidationMode;
  readonly storeBehavior?: StoreBehavior;
  /** Where files, vector stores and stored responses live (else $NODEX_COMPAT_STORAGE_DIR, else NODEX_HOME/compat). */
  readonly compatStorageDir?: string;
  readonly hooks?: NodexHooks;
  /**
   * With no Codex credentials, run the browser login on first use. Default: on when stdin and
   * stderr are a TTY; elsewhere a clear error tells you to run `nodex login codex`.
   */
  readonly autoLogin?: boolean;
  /** How `autoLogin` (and `login()` without arguments) signs in: mode, where the URL is printed, … */
  readonly loginOptions?: LoginOptions;
  /** The environment to read (default process.env); tests pass their own. */
  readonly env?: Env;
}
