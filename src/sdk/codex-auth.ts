import { type CodexAuthStatus, codexAuthStatus } from '../auth/codex/codex-auth-status.js';
import { type CodexLoginMode, type CodexLoginResult, loginCodex } from '../auth/codex/codex-login.js';
import { codexOAuthSettingsFromConfig } from '../auth/codex/codex-oauth-config.js';
import type { Env } from '../config/paths.js';
import type { NodexConfig } from '../config/schema.js';

export interface LoginOptions {
  /** `browser` (default: opens the browser, waits for the localhost callback), `paste` or `device`. */
  readonly mode?: CodexLoginMode;
  /** Where the URL and codes are shown (default: stderr). */
  readonly print?: (line: string) => void;
  /** Reads the pasted redirect URL in `paste` mode (default: one line of stdin). */
  readonly readLine?: (prompt: string) => Promise<string>;
  readonly openBrowser?: (url: string) => void;
  readonly signal?: AbortSignal;
}

async function readStdinLine(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin });
  try {
    for await (const line of rl) return line;
    return '';
  } finally {
    rl.close();
  }
}

/** The Codex login, status and expiry checks behind the SDK's auth methods. */
export class CodexAuth {
  constructor(
    readonly config: NodexConfig,
    readonly env: Env,
    readonly home: string,
  ) {}

  #settings() {
    return codexOAuthSettingsFromConfig(this.config, this.env);
  }

  status(): Promise<CodexAuthStatus> {
    return codexAuthStatus({ settings: this.#settings(), env: this.env, home: this.home });
  }

  /** Credentials exist and the access token has not expired. */
  async isAuthenticated(): Promise<boolean> {
    const status = await this.status();
    return status.logged_in && status.expired !== true;
  }

  /** No credentials, or the access token expires within `leewaySeconds`. */
  async isExpired(leewaySeconds = 60): Promise<boolean> {
    const status = await this.status();
    if (!status.logged_in) return true;
    if (!status.expires_at) return false;
    return Date.parse(status.expires_at) - leewaySeconds * 1000 <= Date.now();
  }

  login(options: LoginOptions = {}): Promise<CodexLoginResult> {
    return loginCodex({
      settings: this.#settings(),
      mode: options.mode ?? 'browser',
      print: options.print ?? ((line) => process.stderr.write(`${line}\n`)),
      readLine: options.readLine ?? readStdinLine,
      ...(options.openBrowser ? { openBrowser: options.openBrowser } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      env: this.env,
      home: this.home,
    });
  }
}
