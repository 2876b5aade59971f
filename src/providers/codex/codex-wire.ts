/**
 * The Codex request body as nodex sends it (wire.md §2.3, from codex-rs `ResponsesApiRequest`).
 * Only what nodex writes is typed; the backend rejects several public Responses API parameters.
 */
export type CodexContentPart =
  | { readonly type: 'input_text'; readonly text: string }
  | { readonly type: 'input_image'; readonly image_url: string; readonly detail?: 'auto' | 'low' | 'high' }
  | { readonly type: 'output_text'; readonly text: string };

export type CodexInputItem =
  | {
      readonly type: 'message';
      readonly role: 'user' | 'assistant' | 'developer';
      readonly content: readonly CodexContentPart[];
    }
  | {
      readonly type: 'function_call';
      readonly call_id: string;
      readonly name: string;
      readonly arguments: string;
    }
  | {
      readonly type: 'function_call_output';
      readonly call_id: string;
      readonly output: string | readonly CodexContentPart[];
    }
  | {
      readonly type: 'custom_tool_call';
      readonly call_id: string;
      readonly name: string;
      readonly input: string;
    }
  | { readonly type: 'custom_tool_call_output'; readonly call_id: string; readonly output: string }
  | {
      readonly type: 'reasoning';
      readonly summary: readonly { readonly type: 'summary_text'; readonly text: string }[];
      readonly encrypted_content: string;
    };

export type CodexTool =
  | {
      readonly type: 'function';
      readonly name: string;
      readonly description?: string;
      readonly strict: boolean;
      readonly parameters: Readonly<Record<string, unknown>>;
    }
  | ({ readonly type: string } & Readonly<Record<string, unknown>>);

export type CodexToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | { readonly type: 'function'; readonly name: string };

export type CodexTextFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json_object' }
  | {
      readonly type: 'json_schema';
      readonly name: string;
      readonly schema: Readonly<Record<string, unknown>>;
      readonly strict: boolean;
      readonly description?: string;
    };

export interface CodexRequestBody {
  readonly model: string;
  /** Always present: the backend answers 400 "Instructions are required" without it; '' is fine. */
  readonly instructions: string;
  readonly input: readonly CodexInputItem[];
  readonly tools?: readonly CodexTool[];
  readonly tool_choice?: CodexToolChoice;
  readonly parallel_tool_calls?: boolean;
  readonly reasoning: { readonly effort?: string; readonly summary?: string };
  /** Must be sent explicitly as false (400 "Store must be set to false" otherwise). */
  readonly store: false;
  /** The backend only streams (400 "Stream must be set to true"). */
  readonly stream: true;
  readonly include: readonly string[];
  readonly prompt_cache_key?: string;
  readonly text?: { readonly format: CodexTextFormat };
}
