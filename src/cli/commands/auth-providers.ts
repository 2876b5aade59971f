import { claudeAuthStatus } from '../../auth/claude/claude-auth-status.js';
import { codexAuthStatus } from '../../auth/codex/codex-auth-status.js';
import { codexOAuthSettingsFromConfig } from '../../auth/codex/codex-oauth-config.js';
import type { LoadedConfig } from '../../config/load-config.js';
import { type Env, nodexHome } from '../../config/paths.js';
import type { Provider } from '../../core/provider.js';
import { buildProviders } from '../../providers/registry.js';

/** One provider's credential state, for `auth status` and `auth setup`. Nothing secret. */
export interface ProviderAuthState {
  readonly provider: string;
  readonly kind: 'oauth' | 'api_key' | 'none';
  readonly logged_in: boolean;
  /** What to run or set when it is not usable. */
  readonly fix?: string;
  /** The login command that fixes it interactively (`nodex login codex`), for `auth setup`. */
  readonly login?: 'codex' | 'claude';
  readonly error?: string;
  readonly [detail: string]: unknown;
}

interface ApiKeyProvider extends Provider {
  readonly missingKey?: string;
  readonly authSummary?: { readonly mode: string; readonly apiKeyEnv?: string; readonly baseUrl: string };
}

/**
 * Every provider's state: Codex (ChatGPT login), Claude (login or API key), and each API-key
 * provider the config builds (Gemini, OpenAI, custom hosts).
 */
export async function providerAuthStates(loaded: LoadedConfig, env: Env): Promise<ProviderAuthState[]> {
  const home = nodexHome(env);
  const codexSettings = codexOAuthSettingsFromConfig(loaded.config, env, loaded.path);
  const codex = await codexAuthStatus({ settings: codexSettings, env, home });
  const apiKeyEnv =
    (loaded.config.providers.anthropic?.api_key_env as string | undefined) ?? 'ANTHROPIC_API_KEY';
  const claude = await claudeAuthStatus({ env, home, apiKeyEnv });
  const states: ProviderAuthState[] = [
    {
      ...codex,
      kind: 'oauth',
      ...(codex.logged_in
        ? {}
        : { fix: 'run `nodex login codex` (or `codex login`)', login: 'codex' as const }),
    },
    {
      ...claude,
      provider: 'anthropic',
      kind: claude.logged_in ? 'oauth' : claude.api_key_env ? 'api_key' : 'oauth',
      logged_in: claude.logged_in || Boolean(claude.api_key_env),
      ...(claude.logged_in || claude.api_key_env
        ? {}
        : { fix: `run \`nodex login claude\` or set ${apiKeyEnv}`, login: 'claude' as const }),
    },
  ];
  const built = buildProviders(loaded.config, { env, home, configPath: loaded.path });
  for (const [id, provider] of built.providers as ReadonlyMap<string, ApiKeyProvider>) {
    const summary = provider.authSummary;
    if (!summary) continue;
    const missing = provider.missingKey;
    states.push({
      provider: id,
      kind: summary.mode === 'none' ? 'none' : 'api_key',
      logged_in: !missing,
      base_url: summary.baseUrl,
      ...(summary.apiKeyEnv ? { api_key_env: summary.apiKeyEnv } : {}),
      ...(missing ? { fix: missing } : {}),
    });
  }
  return states;
}
