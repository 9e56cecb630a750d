/**
 * Everything under `deploy/` that is generated from TypeScript: the CRD manifests (from the same
 * schema definitions the operator and the webhook validate with), the Helm chart
 * deploy/helm/tandem and the single-file deploy/bundle.yaml. `renderDeployFiles()` is pure; the
 * test `test/operator/deploy-files.test.ts` checks the files on disk are current and
 * `npm run deploy` rewrites them.
 */
import YAML from 'yaml';
import { chartTemplates, DEFAULT_VALUES, renderTemplate, unquoteInts } from './deploy-manifests.js';
import { ALL_CRDS, CRD_FILE_NAMES } from './schemas/index.js';
import { toCustomResourceDefinition } from './schemas/schema.js';

const HEADER = '# Generated from src/operator by `npm run deploy`; do not edit by hand.\n';
export const CHART_DIR = 'deploy/helm/tandem';
export const BUNDLE_NAMESPACE = 'redis-enterprise';

export function toYaml(doc: unknown): string {
  return YAML.stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

const multi = (docs: unknown[]) => docs.map((d) => '---\n' + toYaml(d)).join('');

/** Relative path under the repository root → file content. */
export function renderDeployFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const crdTexts: string[] = [];
  for (const def of ALL_CRDS) {
    const text = toYaml(toCustomResourceDefinition(def));
    crdTexts.push(text);
    files.set(`deploy/crds/${CRD_FILE_NAMES[def.kind]!}`, HEADER + text);
    files.set(`${CHART_DIR}/crds/${CRD_FILE_NAMES[def.kind]!}`, HEADER + text);
  }
  files.set(
    `${CHART_DIR}/Chart.yaml`,
    HEADER +
      toYaml({
        apiVersion: 'v2',
        name: 'tandem',
        description: 'Tandem operator: REC, REDB, RERC and REAADB controllers and the admission webhook',
        type: 'application',
        version: '0.1.0',
        appVersion: '0.1.0',
      }),
  );
  files.set(`${CHART_DIR}/values.yaml`, HEADER + toYaml(DEFAULT_VALUES));
  const rendered: string[] = [];
  for (const [name, objects] of Object.entries(chartTemplates())) {
    const text = unquoteInts(multi(objects));
    files.set(`${CHART_DIR}/templates/${name}`, HEADER + text);
    rendered.push(renderTemplate(text, { Release: { Namespace: BUNDLE_NAMESPACE }, Values: DEFAULT_VALUES }));
  }
  files.set(
    'deploy/bundle.yaml',
    `${HEADER}# Everything in one file, for namespace ${BUNDLE_NAMESPACE}: kubectl create namespace ${BUNDLE_NAMESPACE} && kubectl apply -f deploy/bundle.yaml\n` +
      crdTexts.map((t) => '---\n' + t).join('') +
      rendered.join(''),
  );
  return files;
}
