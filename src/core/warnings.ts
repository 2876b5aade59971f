/**
 * A note that a codec dropped or approximated something: an unsupported parameter, a tool type the
 * upstream lacks, an unknown upstream event skipped. Warnings never fail a request (unless a
 * validation mode says so); they reach the caller (header, log, SDK `warnings`) and a metric.
 *
 * @example
 * const warning: Warning = { feature: 'temperature', details: 'codex rejects temperature; dropped' };
 */
export interface Warning {
  readonly feature: string;
  readonly details: string;
}

/** Where codecs report warnings as they find them. */
export type WarningSink = (warning: Warning) => void;

/** A sink that collects into an array, for tests and for per-request lists. */
export function collectWarnings(): { readonly warnings: Warning[]; readonly sink: WarningSink } {
  const warnings: Warning[] = [];
  return { warnings, sink: (warning) => warnings.push(warning) };
}
