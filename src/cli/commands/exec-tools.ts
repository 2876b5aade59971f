import { NodexError } from '../../core/errors.js';
import type { ToolCall } from '../../core/events.js';
import type { ToolHandlers } from '../../sdk/tool-loop.js';
import { UsageError } from '../usage-error.js';

/**
 * `--tool-output NAME=VALUE` (repeatable) as tool-loop handlers: each call of NAME gets VALUE as its
 * output; `$args` echoes the call's arguments. A call of a tool with no configured output stops the
 * loop with an error (the model would otherwise be fed an invented answer).
 */
export function staticToolHandlers(specs: readonly string[]): ToolHandlers {
  const outputs = new Map<string, string>();
  for (const spec of specs) {
    const equals = spec.indexOf('=');
    if (equals <= 0)
      throw new UsageError(`--tool-output "${spec}": expected NAME=VALUE (VALUE $args echoes the arguments)`);
    outputs.set(spec.slice(0, equals), spec.slice(equals + 1));
  }
  return (call: ToolCall) => {
    const value = outputs.get(call.name);
    if (value === undefined) {
      throw new NodexError(
        'invalid_request',
        `the model called ${call.name}, which has no --tool-output ${call.name}=VALUE`,
        { param: '--tool-output' },
      );
    }
    return value === '$args' ? call.arguments_json : value;
  };
}
