/**
 * Everything under `deploy/` that is generated from TypeScript: the CRD manifests (from the
 * same schema definitions the operator and the webhook validate with). `renderDeployFiles()` is
 * pure; the test `test/operator/deploy-files.test.ts` checks the files on disk are current and
 * `npm run deploy` rewrites them.
 */
import YAML from 'yaml';
import { ALL_CRDS, CRD_FILE_NAMES } from './schemas/index.js';
import { toCustomResourceDefinition } from './schemas/schema.js';

const HEADER = '# Generated from src/operator/schemas by `npm run deploy`; do not edit by hand.\n';

export function toYaml(doc: unknown): string {
  return YAML.stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Relative path under the repository root → file content. */
export function renderDeployFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const def of ALL_CRDS) {
    files.set(`deploy/crds/${CRD_FILE_NAMES[def.kind]!}`, HEADER + toYaml(toCustomResourceDefinition(def)));
  }
  return files;
}
