#!/usr/bin/env node
// Runs every compiled test file under dist/test with node's built-in test runner.
// Node 20 does not expand globs given to --test, so the file list is built here.
// --quick skips the suites labelled slow (file names ending in .slow.test.js).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const quick = process.argv.includes('--quick');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const root = 'dist/test';

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

let files = walk(root);
if (quick) files = files.filter((f) => !f.endsWith('.slow.test.js'));
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('run-tests: no test files found under ' + root);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const res = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...files], { stdio: 'inherit' });
process.exit(res.status ?? 1);
