/**
 * A problem found while decoding request parameters: the value was dropped (or adjusted). Callers
 * decide what an issue means: the SDK's `validationMode` warns, throws or ignores; the gateway
 * warns. Codes follow oauth-codex's policy table (seeds-spec §B.8).
 */
export interface RequestIssue {
  readonly code: string;
  readonly param: string;
  readonly message: string;
  /** True when no validation mode may let it pass (a malformed `reasoning`, say). */
  readonly fatal?: boolean;
}

export type IssueSink = (issue: RequestIssue) => void;
