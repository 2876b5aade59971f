/**
 * Compile-time exhaustiveness check for `switch` statements over discriminated unions.
 *
 * @example
 * switch (event.type) { case 'text_delta': …; default: assertNever(event); }
 */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
