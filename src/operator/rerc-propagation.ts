/**
 * RERC propagation (reference §1.4 step 13: "the operator automatically creates the matching
 * REAADB (and the RERCs) on the other participating clusters").
 *
 * The operator that creates an Active-Active database, or changes its membership, writes the RERC
 * of every participating cluster — its name and spec as on that operator's cluster — into the bdb
 * tag `tandem.io/rerc-specs` of the CRDB's `default_db_config`. Every participating cluster stores
 * the CRDB, so each peer operator reads it from its own cluster's REST API. (The instance
 * information alone is not enough: its `url` is the address the origin dialled, not
 * `apiFqdnUrl`/`apiPort`; `dbFqdnSuffix` only shows in ingress replication endpoints; the secret
 * name is nowhere.)
 *
 * A peer resolves each instance to an RERC of its namespace: one that describes that cluster
 * (same recName/recNamespace, whatever its name — a user's RERC always wins), else one it creates
 * from the tag, labelled `tandem.io/created-by: tandem-operator`. The `redis-enterprise-<rerc>`
 * secrets stay the user's to apply; a created RERC whose secret is missing says so in its status.
 * Created RERCs that no REAADB lists and no operator-managed CRDB of the local cluster includes
 * are deleted; user RERCs never are.
 */
import type { ClusterApi, Crdb, DatabaseConfig } from './cluster-api.js';
import { clusterFqdn, type OperatorContext } from './context.js';
import { configTag } from './db-config.js';
import { CR, messageOf, statusOf, type Resource } from './kube.js';
import type { ReaadbSpec } from './schemas/reaadb.js';
import { RERC_CREATED_BY_LABEL, RERC_CREATED_BY_OPERATOR, rercCreatedByOperator, type RercSpec, type RercStatus } from './schemas/rerc.js';

export const RERC_SPECS_TAG = 'tandem.io/rerc-specs';
/** Annotation of a created RERC: the GUID of the Active-Active database it was created for. */
export const RERC_CREATED_FOR = 'tandem.io/created-for';

export interface RercEntry {
  name: string;
  spec: RercSpec;
}
/** Cluster FQDN (`<rec>.<ns>.svc.cluster.local`) → the RERC describing that cluster. */
export type RercSpecs = Record<string, RercEntry>;

/** The entries of the tag that are well formed and describe the cluster they are filed under. */
export function rercSpecsOf(c: DatabaseConfig | undefined): RercSpecs {
  let raw: unknown;
  try {
    raw = JSON.parse(configTag(c, RERC_SPECS_TAG) ?? '{}');
  } catch {
    return {};
  }
  const out: RercSpecs = {};
  for (const [fqdn, e] of Object.entries((raw ?? {}) as Record<string, Partial<RercEntry>>)) {
    const s = e?.spec;
    if (typeof e?.name !== 'string' || !s || typeof s.recName !== 'string' || typeof s.recNamespace !== 'string' || typeof s.apiFqdnUrl !== 'string') continue;
    if (clusterFqdn(s.recName, s.recNamespace) === fqdn) out[fqdn] = { name: e.name, spec: s };
  }
  return out;
}

/** The spec fields that describe the remote cluster (what a peer needs to make the same RERC). */
function portable(s: RercSpec): RercSpec {
  const { recName, recNamespace, apiFqdnUrl, apiPort, dbFqdnSuffix, secretName } = s;
  return { recName, recNamespace, apiFqdnUrl, ...(apiPort !== undefined ? { apiPort } : {}), ...(dbFqdnSuffix !== undefined ? { dbFqdnSuffix } : {}), ...(secretName !== undefined ? { secretName } : {}) };
}

/**
 * The tag's content for `participants`: entries already in the CRDB are kept (the first writer
 * wins, so participants whose RERCs carry other names never overwrite each other back and forth),
 * new participants are added from this cluster's RERCs, removed ones dropped.
 */
export function mergeRercSpecs(existing: RercSpecs, participants: { fqdn: string; rerc: Resource<RercSpec> }[]): RercSpecs {
  return Object.fromEntries(participants.map((p) => [p.fqdn, existing[p.fqdn] ?? { name: p.rerc.metadata.name, spec: portable(p.rerc.spec) }]));
}

/**
 * fqdn → name of this namespace's RERC for each instance of `crdb`, creating the missing ones
 * from the tag. Instances that cannot get one are left out (and logged).
 */
export async function ensureRercs(ctx: OperatorContext, namespace: string, crdb: Crdb): Promise<Map<string, string>> {
  const rercs = (await ctx.kube.listCr<RercSpec, RercStatus>(CR.rerc, namespace)).items;
  const specs = rercSpecsOf(crdb.default_db_config);
  const out = new Map<string, string>();
  for (const fqdn of crdb.instances.map((i) => i.cluster.name)) {
    const have = rercs.find((r) => clusterFqdn(r.spec.recName, r.spec.recNamespace) === fqdn);
    if (have) {
      out.set(fqdn, have.metadata.name);
      continue;
    }
    const entry = specs[fqdn];
    if (!entry) {
      ctx.log.warn(`${crdb.name}: no RERC in ${namespace} describes ${fqdn}, and the database does not say how to reach it; apply its RERC (and secret) here`);
      continue;
    }
    const clash = rercs.find((r) => r.metadata.name === entry.name);
    if (clash) {
      ctx.log.warn(`${crdb.name}: cannot create RERC ${namespace}/${entry.name} for ${fqdn}: an RERC of that name describes ${clash.spec.recName}/${clash.spec.recNamespace}; apply an RERC for ${fqdn} under another name`);
      continue;
    }
    try {
      const created = await ctx.kube.createCr<RercSpec>(CR.rerc, namespace, {
        metadata: { name: entry.name, labels: { [RERC_CREATED_BY_LABEL]: RERC_CREATED_BY_OPERATOR }, annotations: { [RERC_CREATED_FOR]: crdb.guid } },
        spec: entry.spec,
      });
      await ctx.events.record(created, 'Normal', 'CreatedForPeer', `created for Active-Active database ${crdb.name} (${crdb.guid}) as on the cluster that created it; its secret ${entry.spec.secretName ?? `redis-enterprise-${entry.name}`} must be applied here`);
      ctx.log.info(`created RERC ${namespace}/${entry.name} for ${fqdn} (Active-Active database ${crdb.name})`);
      rercs.push(created as Resource<RercSpec, RercStatus>);
      out.set(fqdn, entry.name);
    } catch (e) {
      // 409: made meanwhile (the next pass finds it); anything else: say why
      if (statusOf(e) !== 409) ctx.log.warn(`creating RERC ${namespace}/${entry.name} failed: ${messageOf(e)}`);
    }
  }
  return out;
}

/**
 * Deletes the RERCs the operator created in `namespace` that no REAADB lists and no
 * operator-managed CRDB of the local cluster includes. The CRDBs are read after the candidates,
 * so an RERC created meanwhile for a newly added instance is never taken for an unused one.
 */
export async function collectRercs(ctx: OperatorContext, namespace: string, api: ClusterApi, managed: (c: Crdb) => boolean): Promise<void> {
  const candidates = (await ctx.kube.listCr<RercSpec, RercStatus>(CR.rerc, namespace)).items.filter((r) => rercCreatedByOperator(r) && !r.metadata.deletionTimestamp);
  if (candidates.length === 0) return;
  const included = new Set((await api.crdbs()).filter(managed).flatMap((c) => c.instances.map((i) => i.cluster.name)));
  const listed = new Set((await ctx.kube.listCr<ReaadbSpec, unknown>(CR.reaadb, namespace)).items.flatMap((a) => a.spec.participatingClusters.map((p) => p.name)));
  for (const r of candidates) {
    if (listed.has(r.metadata.name) || included.has(clusterFqdn(r.spec.recName, r.spec.recNamespace))) continue;
    await ctx.events.record(r, 'Normal', 'Released', 'no Active-Active database uses this RERC the operator created any more; deleting it');
    await ctx.kube.deleteCr(CR.rerc, namespace, r.metadata.name);
    ctx.log.info(`deleted RERC ${namespace}/${r.metadata.name}: created by the operator, no longer used`);
  }
}
