#!/usr/bin/env node
// Runs the test files with Node's own test runner (through tsx for TypeScript).
// unit: *.test.ts beside the code in src/; integration: test/**/*.test.ts; all: both.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const which = process.argv[2] ?? 'all';
const roots = { unit: ['src'], integration: ['test'], all: ['src', 'test'] }[which];
if (!roots) {
  console.error(`usage: run-tests.mjs unit|integration|all (got "${which}")`);
  process.exit(2);
}
const filter = process.env.TEST_FILTER; // substring of a test file path, for quick local runs

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.ts') && (!filter || p.includes(filter))) out.push(p);
  }
  return out;
}
const files = roots.flatMap(walk).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// Integration suites share one Docker Engine and fixed host folders: run files one at a time.
// A test that hangs fails after 10 minutes instead of holding CI until its limit (the longest
// test takes well under a minute here).
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=600000', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
