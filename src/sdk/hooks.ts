import type { NodexError } from '../core/errors.js';
import type { TokenUsage } from '../core/usage.js';

export interface RequestStartInfo {
  readonly requestId: string;
  readonly model: string;
  readonly provider: string;
  readonly stream: boolean;
}

export interface RequestEndInfo extends RequestStartInfo {
  readonly status: 'completed' | 'incomplete' | 'failed' | 'aborted';
  readonly usage: TokenUsage | null;
  readonly durationMs: number;
}

export interface AuthRefreshInfo {
  readonly provider: string;
  readonly accountId?: string;
}

export interface ErrorInfo {
  readonly requestId: string;
  readonly model: string;
  readonly provider?: string;
  readonly error: NodexError;
}

/** Callbacks around each request (oauth-codex §B.7). A hook that throws is ignored. */
export interface NodexHooks {
  readonly onRequestStart?: (info: RequestStartInfo) => void;
  readonly onRequestEnd?: (info: RequestEndInfo) => void;
  readonly onAuthRefresh?: (info: AuthRefreshInfo) => void;
  readonly onError?: (info: ErrorInfo) => void;
}

/** Calls a hook, swallowing whatever it throws: a logging hook must never break a request. */
export function callHook<T>(hook: ((info: T) => void) | undefined, info: T): void {
  if (!hook) return;
  try {
    hook(info);
  } catch {
    // deliberately ignored (see NodexHooks)
  }
}
