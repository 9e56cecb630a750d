/**
 * Writes the generated files under deploy/ (`npm run deploy`); the test beside it fails when
 * they are stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDeployFiles } from '../../src/operator/deploy-files.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function readRepoFile(rel: string): string | undefined {
  try {
    return readFileSync(path.join(REPO_ROOT, rel), 'utf8');
  } catch {
    return undefined;
  }
}

if (process.argv.includes('--write')) {
  for (const [rel, content] of renderDeployFiles()) {
    const abs = path.join(REPO_ROOT, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
    process.stdout.write(`wrote ${rel}\n`);
  }
}
