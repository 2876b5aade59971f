import type { FunctionTool } from '../core/request.js';
import { dropOptionalNulls, toStrictJsonSchema } from './strict-schema.js';
import { isZodSchema, type SchemaInput, toJsonSchema } from './structured-output.js';

/** A function tool the SDK can run in its tool loop. */
export interface SdkTool<Args = unknown> {
  readonly definition: FunctionTool;
  /** Parses (and, for zod parameters, validates) the model's argument text. */
  parseArguments(text: string): Args;
  execute(args: Args): unknown;
}

export interface ToolOptions<Args> {
  readonly name: string;
  readonly description?: string;
  /** A zod schema or a JSON Schema for the arguments object. */
  readonly parameters: SchemaInput<Args>;
  /** Send the schema in strict form (default true, as OpenAI recommends). */
  readonly strict?: boolean;
  readonly execute: (args: Args) => unknown;
}

/**
 * Declares a tool from a schema and a function. Give it in `tools` to `responses.create` (the model
 * sees it) or to `responses.runTools` (the SDK also runs it and feeds the result back).
 *
 * @example
 * const weather = tool({
 *   name: 'get_weather',
 *   parameters: z.object({ city: z.string() }),
 *   execute: async ({ city }) => ({ city, temp: 21 }),
 * });
 */
export function tool<Args>(options: ToolOptions<Args>): SdkTool<Args> {
  const original = toJsonSchema(options.parameters);
  const strict = options.strict ?? true;
  const definition: FunctionTool = {
    type: 'function',
    name: options.name,
    ...(options.description ? { description: options.description } : {}),
    parameters: strict ? toStrictJsonSchema(original) : original,
    strict,
  };
  return {
    definition,
    parseArguments(text: string): Args {
      const value = dropOptionalNulls(text.trim() === '' ? {} : JSON.parse(text), original);
      return isZodSchema(options.parameters) ? (options.parameters.parse(value) as Args) : (value as Args);
    },
    execute: options.execute,
  };
}

export function isSdkTool(value: unknown): value is SdkTool {
  return (
    typeof value === 'object' &&
    value !== null &&
    'definition' in value &&
    'execute' in value &&
    'parseArguments' in value
  );
}
