import type { Dispatcher } from 'undici';
import type { Env } from '../../config/paths.js';
import { nodexHome } from '../../config/paths.js';
import { NodexError } from '../../core/errors.js';
import { startCallbackServer } from '../callback-server.js';
import type { CredentialStore, StoreDescription } from '../credential-store.js';
import { openBrowser } from '../open-browser.js';
import { createPkceSession } from '../pkce.js';
import { createNodexClaudeStore } from './claude-credential-sources.js';
import type { ClaudeCredentials } from './claude-credentials.js';
import { claudeAuthorizeUrl, exchangeClaudeCode } from './claude-oauth-client.js';
import type { ClaudeOAuthSettings } from './claude-oauth-settings.js';
import { claudeCodeFromParams, parsePastedClaudeCode } from './claude-pasted-code.js';

/** `browser`: local callback server; `paste`: the user pastes the `code#state` the Claude page shows. */
export type ClaudeLoginMode = 'browser' | 'paste';

export interface ClaudeLoginOptions {
  readonly settings: ClaudeOAuthSettings;
  readonly mode: ClaudeLoginMode;
  /** Lines for the user (the URL). Never receives a secret. */
  readonly print: (line: string) => void;
  /** Reads one line (paste mode): `code#state`. */
  readonly readLine?: (prompt: string) => Promise<string>;
  /** Opens the browser in browser mode; default `openBrowser(url, env)`. */
  readonly openBrowser?: (url: string) => void;
  /** A status while waiting (for a spinner), and undefined when the wait ends. */
  readonly onWaiting?: (status: string | undefined) => void;
  /** Where the credentials go; default nodex's own store under `home`. */
  readonly store?: CredentialStore<ClaudeCredentials>;
  readonly env?: Env;
  /** NODEX_HOME. */
  readonly home?: string;
  readonly signal?: AbortSignal;
  readonly dispatcher?: Dispatcher;
  readonly now?: () => number;
}

/** Who signed in, and where the credentials went. Nothing secret. */
export interface ClaudeLoginResult {
  readonly email?: string;
  readonly organization?: string;
  readonly expiresAt?: number;
  readonly scopes?: readonly string[];
  readonly store: StoreDescription;
}

type Grant = { code: string; state: string; redirectUri: string; verifier: string };

async function browserGrant(settings: ClaudeOAuthSettings, options: ClaudeLoginOptions): Promise<Grant> {
  const pkce = await createPkceSession();
  const server = await startCallbackServer({
    port: settings.callbackPort,
    expectedState: pkce.state,
    path: '/callback',
    readCode: (params, state) => claudeCodeFromParams(params, state).code,
    loginCommand: 'nodex login claude',
    ...(settings.redirectUri ? { redirectUri: settings.redirectUri } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    const url = claudeAuthorizeUrl(settings, pkce, server.redirectUri);
    options.print('Sign in to Claude in your browser. If it did not open, open this URL:');
    options.print(url);
    (options.openBrowser ?? ((target: string) => openBrowser(target, options.env ?? process.env)))(url);
    options.onWaiting?.('Waiting for the browser sign-in (Ctrl-C to cancel)');
    const code = await server.code;
    return { code, state: pkce.state, redirectUri: server.redirectUri, verifier: pkce.verifier };
  } finally {
    options.onWaiting?.(undefined);
    await server.close();
  }
}

async function pasteGrant(settings: ClaudeOAuthSettings, options: ClaudeLoginOptions): Promise<Grant> {
  if (!options.readLine)
    throw new NodexError('invalid_request', 'paste login needs `readLine` to read the code');
  const pkce = await createPkceSession();
  const redirectUri = settings.manualRedirectUri;
  options.print('Open this URL in any browser and sign in to Claude:');
  options.print(claudeAuthorizeUrl(settings, pkce, redirectUri));
  options.print('The page then shows a code (`code#state`): copy it.');
  const pasted = parsePastedClaudeCode(await options.readLine('Paste the code here: '), pkce.state);
  return { code: pasted.code, state: pasted.state ?? pkce.state, redirectUri, verifier: pkce.verifier };
}

/**
 * Signs in to Claude (a Pro/Max subscription) with PKCE (wire.md §4.1–4.2) and saves the
 * credentials, by default to nodex's own store (`NODEX_HOME/credentials/claude.json`, Claude
 * Code's format). `browser` runs the local callback server; `paste` uses Claude's manual redirect
 * page and reads the `code#state` it shows. `signal` cancels at any step (Ctrl-C).
 *
 * @example
 * const result = await loginClaude({ settings, mode: 'browser', print: (line) => console.error(line) });
 * console.log(`logged in as ${result.email}`);
 */
export async function loginClaude(options: ClaudeLoginOptions): Promise<ClaudeLoginResult> {
  const { settings } = options;
  const grant =
    options.mode === 'paste' ? await pasteGrant(settings, options) : await browserGrant(settings, options);
  const credentials = await exchangeClaudeCode(settings, grant, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const store =
    options.store ?? createNodexClaudeStore(options.home ?? nodexHome(options.env ?? process.env));
  await store.save(credentials);
  return {
    ...(credentials.email ? { email: credentials.email } : {}),
    ...(credentials.organizationName ? { organization: credentials.organizationName } : {}),
    ...(credentials.expiresAt === undefined ? {} : { expiresAt: credentials.expiresAt }),
    ...(credentials.scopes ? { scopes: credentials.scopes } : {}),
    store: store.describe(),
  };
}
