/** All custom resource definitions of the operator, and their rendered CRD objects. */
import { REAADB } from './reaadb.js';
import { REC } from './rec.js';
import { REDB } from './redb.js';
import { RERC } from './rerc.js';
import { GROUP, toCustomResourceDefinition, type CrdDefinition } from './schema.js';

export { REAADB, REC, REDB, RERC, GROUP };

export const ALL_CRDS: readonly CrdDefinition[] = [REC, REDB, RERC, REAADB];

/** File name under deploy/crds for a kind (the reference's names: rec_crd.yaml, …). */
export const CRD_FILE_NAMES: Record<string, string> = {
  RedisEnterpriseCluster: 'rec_crd.yaml',
  RedisEnterpriseDatabase: 'redb_crd.yaml',
  RedisEnterpriseRemoteCluster: 'rerc_crd.yaml',
  RedisEnterpriseActiveActiveDatabase: 'reaadb_crd.yaml',
};

export function crdObjects(): Record<string, unknown>[] {
  return ALL_CRDS.map(toCustomResourceDefinition);
}

export function crdByKind(kind: string): CrdDefinition | undefined {
  return ALL_CRDS.find((d) => d.kind === kind);
}
