#!/usr/bin/env node
// Regenerates docs/benchmarks.md and docs/benchmarks.svg from a results file, without measuring:
// `node bench/report.mjs bench/results/2026-11-21.json`. The doc's "Optimisation round" section is
// kept as it is.
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { evaluateTargets, writeDocs } from './lib/report.mjs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/report.mjs bench/results/<date>.json\n');
  process.exit(2);
}
const root = join(import.meta.dirname, '..');
const resultsPath = resolve(file);
const results = JSON.parse(readFileSync(resultsPath, 'utf8'));
results.targets = evaluateTargets(results);
const written = writeDocs(results, { root, resultsPath });
process.stdout.write(`wrote ${written.map((p) => relative(root, p)).join(', ')}\n`);
