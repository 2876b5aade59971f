import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NodexConfig } from '../../config/schema.js';
import { NodexError } from '../../core/errors.js';
import type {
  CanonicalRequest,
  InputItem,
  ReasoningEffort,
  ToolChoice,
  ToolDefinition,
} from '../../core/request.js';
import { userText } from '../../core/request.js';
import type { WarningSink } from '../../core/warnings.js';
import { decodeResponsesInput } from '../../protocols/openai-responses/decode-input.js';
import { UsageError } from '../usage-error.js';

export interface ExecFlags {
  readonly model?: string;
  readonly prompt?: string;
  readonly instructions?: string;
  readonly inputJson?: string;
  readonly tool?: readonly string[];
  readonly toolChoice?: string;
  readonly reasoningEffort?: string;
  readonly mock?: boolean;
}

const EFFORTS: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];

function readText(path: string, cwd: string, what: string): string {
  try {
    return readFileSync(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(
      `${what}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what}: not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Parses one `--tool` value: `web_search`, `NAME:json=path/to/schema.json` or `NAME:inline={…}`
 * (the schema is the function's parameters).
 */
export function parseToolSpec(spec: string, cwd: string): ToolDefinition {
  if (spec === 'web_search') return { type: 'builtin', name: 'web_search' };
  const match = /^([A-Za-z0-9_-]{1,64}):(json|inline)=(.+)$/s.exec(spec);
  if (!match) {
    throw new UsageError(
      `--tool "${spec}": expected web_search, NAME:json=path/to/schema.json or NAME:inline={...}`,
    );
  }
  const [, name = '', form, value = ''] = match;
  const what = `--tool ${name}`;
  const schema = parseJson(form === 'json' ? readText(value, cwd, what) : value, what);
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new UsageError(`${what}: the schema must be a JSON object`);
  }
  return { type: 'function', name, parameters: schema as Record<string, unknown>, strict: false };
}

/** Parses `--tool-choice`: auto | required | none | function:NAME (NAME must be an offered tool). */
export function parseToolChoice(value: string, tools: readonly ToolDefinition[]): ToolChoice {
  if (value === 'auto' || value === 'required' || value === 'none') return value;
  if (value.startsWith('function:')) {
    const name = value.slice('function:'.length);
    if (!tools.some((tool) => tool.type === 'function' && tool.name === name)) {
      throw new UsageError(`--tool-choice ${value}: no --tool named "${name}" was given`);
    }
    return { type: 'function', name };
  }
  throw new UsageError(`--tool-choice "${value}": expected auto, required, none or function:NAME`);
}

function parseInput(
  flags: ExecFlags,
  promptArg: string | undefined,
  cwd: string,
  onWarning: WarningSink,
): InputItem[] {
  if (flags.inputJson !== undefined) {
    const trimmed = flags.inputJson.trimStart();
    const text =
      trimmed.startsWith('[') || trimmed.startsWith('{')
        ? flags.inputJson
        : readText(flags.inputJson, cwd, '--input-json');
    const value = parseJson(text, '--input-json');
    if (!Array.isArray(value))
      throw new UsageError('--input-json: expected a JSON array of Responses input items');
    try {
      return decodeResponsesInput(value, { strict: true, field: '--input-json', onWarning });
    } catch (error) {
      if (NodexError.isInstance(error)) throw new UsageError(error.message);
      throw error;
    }
  }
  const prompt = flags.prompt ?? promptArg;
  if (prompt === undefined || prompt === '')
    throw new UsageError('give a prompt: --prompt TEXT, a positional prompt, or --input-json');
  return [userText(prompt)];
}

/** Builds the canonical request `nodex exec` sends, from its flags and the config's exec defaults. */
export function buildExecRequest(
  flags: ExecFlags,
  config: NodexConfig,
  options: { readonly cwd: string; readonly promptArg?: string; readonly onWarning: WarningSink },
): CanonicalRequest {
  const input = parseInput(flags, options.promptArg, options.cwd, options.onWarning);
  const tools = (flags.tool ?? []).map((spec) => parseToolSpec(spec, options.cwd));
  const toolChoice = flags.toolChoice === undefined ? undefined : parseToolChoice(flags.toolChoice, tools);
  const effort = flags.reasoningEffort;
  if (effort !== undefined && !(EFFORTS as readonly string[]).includes(effort)) {
    throw new UsageError(`--reasoning-effort "${effort}": expected one of ${EFFORTS.join(', ')}`);
  }
  const model = flags.model ?? (flags.mock ? 'mock' : config.exec.model);
  const instructions = flags.instructions ?? config.exec.instructions;
  return {
    model,
    input,
    ...(instructions ? { instructions } : {}),
    ...(tools.length > 0 ? { tools } : {}),
    ...(toolChoice === undefined ? {} : { tool_choice: toolChoice }),
    ...(effort === undefined ? {} : { reasoning: { effort: effort as ReasoningEffort } }),
  };
}
