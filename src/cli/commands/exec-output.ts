import { closeSync, openSync, writeSync } from 'node:fs';
import type { StreamEvent } from '../../core/events.js';
import { assertNever } from '../../core/exhaustive.js';
import type { OutputStream } from '../io.js';

/** Appends JSONL to a file created 0600 (`--log-responses`). */
export class JsonlAppender {
  readonly #fd: number;

  constructor(path: string) {
    this.#fd = openSync(path, 'a', 0o600);
  }

  append(value: unknown): void {
    writeSync(this.#fd, `${JSON.stringify(value)}\n`);
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/**
 * Text mode: assistant text goes to stdout as it arrives and ends with a newline; tool calls and
 * reasoning are noted on stderr so stdout stays the answer.
 */
export class TextRenderer {
  #endsWithNewline = true;
  #wroteText = false;

  constructor(
    readonly stdout: OutputStream,
    readonly stderr: OutputStream,
  ) {}

  render(event: StreamEvent): void {
    switch (event.type) {
      case 'text_delta':
        if (event.delta === '') return;
        this.stdout.write(event.delta);
        this.#wroteText = true;
        this.#endsWithNewline = event.delta.endsWith('\n');
        return;
      case 'tool_call_done':
        this.stderr.write(`[tool call] ${event.tool_call.name} ${event.tool_call.arguments_json}\n`);
        return;
      case 'response_started':
      case 'reasoning_delta':
      case 'reasoning_done':
      case 'tool_call_started':
      case 'tool_call_arguments_delta':
      case 'usage':
      case 'response_completed':
      case 'error':
        return;
      default:
        assertNever(event, 'stream event');
    }
  }

  finish(): void {
    if (this.#wroteText && !this.#endsWithNewline) this.stdout.write('\n');
  }
}
