/**
 * What every controller shares: Kubernetes access, events, logging, and how to reach a cluster's
 * REST API (the local REC through its Service; remote ones through their RERC's external URL).
 */
import { randomBytes } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';
import { ClusterApi, type ClusterTls, type Credentials } from './cluster-api.js';
import { CR, type Kube, type Resource } from './kube.js';
import type { RecSpec, RecStatus } from './schemas/rec.js';
import { rercSecretName, type RercSpec } from './schemas/rerc.js';
import { EventRecorder } from './runtime/events.js';
import type { Logger } from './runtime/controller.js';

export interface OperatorOptions {
  /** Namespaces the operator manages (the REC namespace, plus REAADB consumer namespaces). */
  namespaces: string[];
  /** TLS to use towards cluster REST APIs. */
  clusterTls?: ClusterTls;
  /** Base URL of a REC's REST API (default: its API Service, https://<rec>.<ns>.svc.cluster.local:9443). */
  recApiUrl?: (namespace: string, recName: string) => string;
  /** Base URL of a participating cluster's REST API from its RERC (default https://<apiFqdnUrl>:<apiPort|443>). */
  rercApiUrl?: (spec: RercSpec) => string;
  /** Container image of node pods (and the operator). */
  image?: string;
  /** How often RERCs are probed and AA databases polled, ms. */
  pollMs?: number;
  resyncMs?: number;
  log: Logger;
}

export const FINALIZERS = {
  rec: 'redbfinalizer.redisenterpriseclusters.app.redislabs.com',
  redb: 'finalizer.redisenterprisedatabases.app.redislabs.com',
  // not published by the reference (§5.10): Tandem's own names
  rerc: 'finalizer.redisenterpriseremoteclusters.app.redislabs.com',
  reaadb: 'finalizer.redisenterpriseactiveactivedatabases.app.redislabs.com',
} as const;

export const DEFAULT_ADMIN_USER = 'demo@redis.com';

export class OperatorContext {
  readonly events: EventRecorder;

  constructor(
    readonly kube: Kube,
    readonly kubeConfig: k8s.KubeConfig,
    readonly opts: OperatorOptions,
  ) {
    this.events = new EventRecorder(kube, 'tandem-operator');
  }

  get log(): Logger {
    return this.opts.log;
  }

  recApiUrl(namespace: string, recName: string): string {
    return this.opts.recApiUrl?.(namespace, recName) ?? `https://${recName}.${namespace}.svc.cluster.local:9443`;
  }

  rercApiUrl(spec: RercSpec): string {
    return this.opts.rercApiUrl?.(spec) ?? `https://${spec.apiFqdnUrl}:${spec.apiPort ?? 443}`;
  }

  /** Name of a REC's admin credentials secret. */
  static recSecretName(rec: Resource<RecSpec>): string {
    return rec.spec.clusterCredentialSecretName ?? rec.metadata.name;
  }

  async credentials(namespace: string, secretName: string): Promise<Credentials | undefined> {
    const s = await this.kube.secretData(namespace, secretName);
    if (!s || !s.data.username || s.data.password === undefined) return undefined;
    return { username: s.data.username, password: s.data.password };
  }

  /** The admin secret of a REC, created with a random password when absent. */
  async ensureRecSecret(rec: Resource<RecSpec>): Promise<Credentials> {
    const ns = rec.metadata.namespace!;
    const name = OperatorContext.recSecretName(rec);
    const have = await this.credentials(ns, name);
    if (have) return have;
    const creds = { username: rec.spec.username ?? DEFAULT_ADMIN_USER, password: randomBytes(12).toString('base64url') };
    await this.kube.objects.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: ns, labels: { app: 'redis-enterprise', 'redis.io/cluster': rec.metadata.name } },
      type: 'Opaque',
      stringData: creds,
    } as k8s.V1Secret);
    return creds;
  }

  async recApi(namespace: string, recName: string): Promise<ClusterApi | undefined> {
    const rec = await this.kube.getCr<RecSpec, RecStatus>(CR.rec, namespace, recName);
    if (!rec) return undefined;
    const creds = await this.credentials(namespace, OperatorContext.recSecretName(rec));
    if (!creds) return undefined;
    return new ClusterApi(this.recApiUrl(namespace, recName), creds, this.opts.clusterTls);
  }

  /** The REC this operator manages in a namespace (the first one). */
  async localRec(namespace: string): Promise<Resource<RecSpec, RecStatus> | undefined> {
    for (const ns of [namespace, ...this.opts.namespaces]) {
      const recs = (await this.kube.listCr<RecSpec, RecStatus>(CR.rec, ns)).items;
      if (recs.length > 0) return recs[0];
    }
    return undefined;
  }

  async rercCredentials(rerc: Resource<RercSpec>): Promise<Credentials | undefined> {
    return this.credentials(rerc.metadata.namespace!, rerc.spec.secretName ?? rercSecretName(rerc.metadata.name));
  }

  /** Whether a RERC points at a REC this operator manages. */
  async isLocal(rerc: Resource<RercSpec>): Promise<boolean> {
    if (!this.opts.namespaces.includes(rerc.spec.recNamespace)) return false;
    return (await this.kube.getCr(CR.rec, rerc.spec.recNamespace, rerc.spec.recName)) !== undefined;
  }
}

/** The RS cluster identity of a REC (reference §0): `<rec>.<ns>.svc.cluster.local`. */
export const clusterFqdn = (recName: string, recNamespace: string): string => `${recName}.${recNamespace}.svc.cluster.local`;
