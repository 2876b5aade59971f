import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../src/testing/capture-io.js';
import { findViolations } from './check-layers.mjs';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

function file(path: string, text: string): void {
  mkdirSync(join(dir.path, path, '..'), { recursive: true });
  writeFileSync(join(dir.path, path), text);
}

describe('check-layers', () => {
  it('passes on the real source tree', () => {
    expect(findViolations(new URL('../src', import.meta.url).pathname)).toEqual([]);
  });

  it('flags imports that point up, Node or foreign packages in core, and testing from production code', () => {
    file(
      'core/a.ts',
      "import { x } from '../providers/p.js';\nimport { readFileSync } from 'node:fs';\nimport { z } from 'zod';\n",
    );
    file(
      'protocols/x/b.ts',
      "import { y } from '../../providers/p.js';\nexport { y } from '../../core/a.js';\n",
    );
    file('providers/p.ts', "import { f } from '../testing/fake.js';\nimport { nodex } from 'nodex';\n");
    file('providers/p.test.ts', "import { f } from '../testing/fake.js';\n");
    file('testing/fake.ts', "import('../gateway/g.js');\nimport { q } from '../../outside.js';\n");
    file('weird/w.ts', '');
    const violations = findViolations(dir.path);
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^core\/a\.ts: imports \.\.\/providers\/p\.js \(layer "providers"\); "core" may import: nothing of ours/,
        ),
        expect.stringMatching(/^core\/a\.ts: imports node:fs; core may only use zod/),
        expect.stringMatching(/^protocols\/x\/b\.ts: imports \.\.\/\.\.\/providers\/p\.js/),
        expect.stringMatching(/^providers\/p\.ts: imports \.\.\/testing\/fake\.js/),
        expect.stringMatching(/^providers\/p\.ts: imports the package by its own name/),
        expect.stringMatching(/^testing\/fake\.ts: imports \.\.\/\.\.\/outside\.js, outside src\//),
        expect.stringMatching(/^weird\/w\.ts: folder "weird" is not a known layer/),
      ]),
    );
    expect(violations).toHaveLength(7);
  });
});
