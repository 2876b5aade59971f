import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import { runCli } from '../run-cli.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

async function exec(args: string[]) {
  const captured = captureIo(dir.path);
  const code = await runCli(['exec', ...args], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('nodex exec --auto-tools', () => {
  it('answers the call with --tool-output and prints the final text; the call and output are noted on stderr', async () => {
    const result = await exec([
      '-m',
      'mock-tool-loop',
      '-p',
      'weather?',
      '--auto-tools',
      '--tool-output',
      'mock_tool=sunny, 21C',
    ]);
    expect(result).toEqual({
      code: 0,
      stdout: 'The tool returned: sunny, 21C\n',
      stderr: '[tool call] mock_tool {"value":42}\n[tool output] mock_tool sunny, 21C\n',
    });
  });

  it('--json shows every turn’s events and each tool output line; $args echoes the arguments', async () => {
    const { code, stdout } = await exec([
      '-m',
      'mock-tool-loop',
      '-p',
      'x',
      '--auto-tools',
      '--tool-output',
      'mock_tool=$args',
      '--json',
    ]);
    expect(code).toBe(0);
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const types = lines.map((l) => l.type);
    expect(types.filter((t) => t === 'response_started')).toHaveLength(2);
    const output = lines.find((l) => l.type === 'function_call_output');
    expect(output).toEqual({
      type: 'function_call_output',
      call_id: lines.find((l) => l.type === 'tool_call_done').call_id,
      name: 'mock_tool',
      output: '{"value":42}',
    });
    expect(types.indexOf('function_call_output')).toBeLessThan(types.lastIndexOf('response_started'));
    expect(
      lines
        .filter((l) => l.type === 'text_delta')
        .map((l) => l.delta)
        .join(''),
    ).toBe('The tool returned: {"value":42}');
  });

  it('a call with no --tool-output stops with a usage error (exit 2); --max-turns bounds the loop (exit 1)', async () => {
    const missing = await exec(['-m', 'mock-tool-loop', '-p', 'x', '--auto-tools']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'the model called mock_tool, which has no --tool-output mock_tool=VALUE',
    );
    const looping = await exec([
      '-m',
      'mock-tool-call',
      '-p',
      'x',
      '--auto-tools',
      '--tool-output',
      'mock_tool=again',
      '--max-turns',
      '3',
    ]);
    expect(looping.code).toBe(1);
    expect(looping.stderr).toContain('limit of 3 turns without a final answer (tool_loop_limit)');
    expect((await exec(['--mock', '-p', 'x', '--auto-tools', '--max-turns', '0'])).code).toBe(2);
    expect((await exec(['--mock', '-p', 'x', '--auto-tools', '--tool-output', 'novalue'])).stderr).toContain(
      'expected NAME=VALUE',
    );
  });
});
