#!/usr/bin/env node
// Enforces the layering of DESIGN.md §2: imports point down only. Run by `npm run lint`.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

/** Which of our layers each layer may import (besides itself). */
export const LAYERS = {
  core: [],
  sse: ['core'],
  config: ['core'],
  auth: ['core', 'config'],
  protocols: ['core', 'sse'],
  providers: ['core', 'sse', 'config', 'auth'],
  routing: ['core', 'config'],
  store: ['core', 'config'],
  sdk: ['core', 'sse', 'config', 'auth', 'providers', 'protocols', 'routing', 'store'],
  gateway: ['core', 'sse', 'config', 'auth', 'providers', 'protocols', 'routing', 'store'],
  cli: ['core', 'sse', 'config', 'auth', 'providers', 'protocols', 'routing', 'store', 'sdk', 'gateway'],
  // Test support (fake upstreams, captured CLI I/O): may use any layer; production code may not use it.
  testing: [
    'core',
    'sse',
    'config',
    'auth',
    'providers',
    'protocols',
    'routing',
    'store',
    'sdk',
    'gateway',
    'cli',
  ],
  '.': ['core', 'sse', 'config', 'auth', 'providers', 'protocols', 'routing', 'store', 'sdk', 'gateway'],
};

/** Third-party packages `core` may use: it stays pure (no I/O, no Node APIs). */
export const CORE_PACKAGES = new Set(['zod']);

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== '__fixtures__' && entry.name !== 'fixtures')
        yield* walk(path);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

function layerOf(srcDir, file) {
  const rel = relative(srcDir, file);
  if (rel.startsWith('..')) return undefined;
  const parts = rel.split(sep);
  return parts.length === 1 ? '.' : parts[0];
}

/**
 * Lists every import that breaks the layering under `srcDir`. Tests (`*.test.ts`) may import any
 * layer, including `testing`; production code may not import `testing`.
 */
export function findViolations(srcDir) {
  const root = resolve(srcDir);
  const violations = [];
  for (const file of walk(root)) {
    const from = layerOf(root, file);
    const isTest = file.endsWith('.test.ts');
    const allowed = LAYERS[from];
    const rel = relative(root, file);
    if (!allowed) {
      violations.push(`${rel}: folder "${from}" is not a known layer (scripts/check-layers.mjs LAYERS)`);
      continue;
    }
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: spec } of importedFiles) {
      if (spec.startsWith('.')) {
        const to = layerOf(root, resolve(dirname(file), spec));
        if (to === undefined) {
          violations.push(`${rel}: imports ${spec}, outside src/`);
        } else if (to !== from && !isTest && !allowed.includes(to)) {
          violations.push(
            `${rel}: imports ${spec} (layer "${to}"); "${from}" may import: ${allowed.join(', ') || 'nothing of ours'}`,
          );
        }
      } else if (from === 'core' && !isTest) {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!CORE_PACKAGES.has(name))
          violations.push(`${rel}: imports ${spec}; core may only use ${[...CORE_PACKAGES].join(', ')}`);
      } else if (spec === 'nodex' || spec.startsWith('nodex/')) {
        violations.push(`${rel}: imports the package by its own name (${spec}); use a relative import`);
      }
    }
  }
  return violations;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const srcDir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const violations = findViolations(srcDir);
  for (const line of violations) process.stderr.write(`layers: ${line}\n`);
  if (violations.length > 0) process.exit(1);
  process.stdout.write('layers: ok\n');
}
