import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

import { REPO_ROOT } from './helpers/moord.js';

const SRC = join(REPO_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Relative imports of a file, resolved to .ts paths (type-only imports included). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

test('no import cycles between source files', () => {
  const graph = new Map(sourceFiles(SRC).map((f) => [f, importsOf(f)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, stack: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push(
        [...stack.slice(stack.indexOf(file)), file].map((f) => relative(SRC, f)).join(' -> '),
      );
      return;
    }
    state.set(file, 'visiting');
    for (const dep of graph.get(file) ?? []) visit(dep, [...stack, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(cycles, []);
});

test('every relative import names an existing source file', () => {
  const files = new Set(sourceFiles(SRC));
  const missing = [...files].flatMap((f) =>
    importsOf(f)
      .filter((dep) => !files.has(dep))
      .map((dep) => `${relative(SRC, f)} -> ${relative(SRC, dep)}`),
  );
  assert.deepEqual(missing, []);
});
