import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOCK_TEXT } from '../providers/mock/mock-script.js';
import { tempDir } from '../testing/capture-io.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let home: ReturnType<typeof tempDir>;
beforeAll(() => {
  if (!existsSync(`${root}dist/index.js`))
    throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  home = tempDir();
});
afterAll(() => home.cleanup());

describe('README SDK quick start', () => {
  it('runs as written against the built package, with the mock provider', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const block = /<!-- sdk-quickstart:start -->\n```js\n([\s\S]*?)```\n<!-- sdk-quickstart:end -->/.exec(
      readme,
    )?.[1];
    expect(block?.split('\n').filter((line) => line.trim() !== '').length).toBeLessThanOrEqual(10);
    // `import … from 'nodex'` resolves to this package through its own "exports" (self-reference).
    const result = spawnSync(process.execPath, ['--input-type=module'], {
      cwd: root,
      input: block,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: home.path, NODEX_HOME: `${home.path}/.nodex` },
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${MOCK_TEXT} 21\nword by word\ncompleted\n`);
    expect(result.status).toBe(0);
  });
});
