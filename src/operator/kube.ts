/**
 * The operator's access to the Kubernetes API, all through @kubernetes/client-node: custom
 * resources (and their status subresource) through CustomObjectsApi, every other kind through the
 * generic KubernetesObjectApi (discovery resolves kind → resource).
 */
import * as k8s from '@kubernetes/client-node';
import { GROUP } from './schemas/schema.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: k8s.V1OwnerReference[];
}

/** A custom resource as the controllers see it. */
export interface Resource<Spec = unknown, Status = unknown> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

export interface CrdRef {
  kind: string;
  plural: string;
  version: string;
}

export const CR = {
  rec: { kind: 'RedisEnterpriseCluster', plural: 'redisenterpriseclusters', version: 'v1' },
  redb: { kind: 'RedisEnterpriseDatabase', plural: 'redisenterprisedatabases', version: 'v1alpha1' },
  rerc: { kind: 'RedisEnterpriseRemoteCluster', plural: 'redisenterpriseremoteclusters', version: 'v1alpha1' },
  reaadb: { kind: 'RedisEnterpriseActiveActiveDatabase', plural: 'redisenterpriseactiveactivedatabases', version: 'v1alpha1' },
} as const satisfies Record<string, CrdRef>;

const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

/** HTTP status of a client-node error (undefined for network errors). */
export function statusOf(e: unknown): number | undefined {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'number' ? c : undefined;
}

/** The API server's message of a client-node error, or the error's own message. */
export function messageOf(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const m = (JSON.parse(body) as { message?: string }).message;
      if (m) return m;
    } catch {
      // not JSON
    }
  }
  return e instanceof Error ? e.message : String(e);
}

export class Kube {
  readonly custom: k8s.CustomObjectsApi;
  readonly objects: k8s.KubernetesObjectApi;
  readonly core: k8s.CoreV1Api;
  readonly coordination: k8s.CoordinationV1Api;

  constructor(readonly config: k8s.KubeConfig) {
    this.custom = config.makeApiClient(k8s.CustomObjectsApi);
    this.objects = k8s.KubernetesObjectApi.makeApiClient(config);
    this.core = config.makeApiClient(k8s.CoreV1Api);
    this.coordination = config.makeApiClient(k8s.CoordinationV1Api);
  }

  // ---- custom resources ----

  async getCr<S, T>(ref: CrdRef, namespace: string, name: string): Promise<Resource<S, T> | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ group: GROUP, version: ref.version, namespace, plural: ref.plural, name })) as Resource<S, T>;
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  async listCr<S, T>(ref: CrdRef, namespace?: string): Promise<{ items: Resource<S, T>[]; resourceVersion: string }> {
    const list = (
      namespace === undefined
        ? await this.custom.listClusterCustomObject({ group: GROUP, version: ref.version, plural: ref.plural })
        : await this.custom.listNamespacedCustomObject({ group: GROUP, version: ref.version, namespace, plural: ref.plural })
    ) as { items: Resource<S, T>[]; metadata: { resourceVersion: string } };
    return { items: list.items, resourceVersion: list.metadata.resourceVersion };
  }

  async createCr<S>(ref: CrdRef, namespace: string, body: { metadata: Partial<ObjectMeta> & { name: string }; spec: S }): Promise<Resource<S>> {
    return (await this.custom.createNamespacedCustomObject({
      group: GROUP,
      version: ref.version,
      namespace,
      plural: ref.plural,
      body: { apiVersion: `${GROUP}/${ref.version}`, kind: ref.kind, ...body },
    })) as Resource<S>;
  }

  async patchCr(ref: CrdRef, namespace: string, name: string, patch: object): Promise<Resource> {
    return (await this.custom.patchNamespacedCustomObject({ group: GROUP, version: ref.version, namespace, plural: ref.plural, name, body: patch }, mergePatch)) as Resource;
  }

  async patchCrStatus(ref: CrdRef, namespace: string, name: string, status: object): Promise<Resource> {
    return (await this.custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: ref.version, namespace, plural: ref.plural, name, body: { status } },
      mergePatch,
    )) as Resource;
  }

  async deleteCr(ref: CrdRef, namespace: string, name: string): Promise<void> {
    try {
      await this.custom.deleteNamespacedCustomObject({ group: GROUP, version: ref.version, namespace, plural: ref.plural, name });
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
  }

  /** Replaces the finalizer list, guarded by resourceVersion (a JSON patch `test`). */
  async setFinalizers(ref: CrdRef, obj: Resource, finalizers: string[]): Promise<void> {
    await this.custom.patchNamespacedCustomObject({
      group: GROUP,
      version: ref.version,
      namespace: obj.metadata.namespace!,
      plural: ref.plural,
      name: obj.metadata.name,
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion },
        { op: 'add', path: '/metadata/finalizers', value: finalizers },
      ],
    });
  }

  // ---- any other kind ----

  async read<T extends k8s.KubernetesObject>(apiVersion: string, kind: string, namespace: string, name: string): Promise<T | undefined> {
    try {
      return (await this.objects.read({ apiVersion, kind, metadata: { name, namespace } })) as T;
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  /**
   * Creates `desired` or brings the existing object's spec-like content to it (labels and
   * annotations merged; fields the server fills in are kept). Returns the stored object.
   */
  async ensure<T extends k8s.KubernetesObject>(desired: T): Promise<T> {
    const cur = await this.read<T>(desired.apiVersion!, desired.kind!, desired.metadata!.namespace!, desired.metadata!.name!);
    if (cur === undefined) return (await this.objects.create(desired)) as T;
    const next = { ...cur, ...desired, metadata: { ...cur.metadata, ...desired.metadata, resourceVersion: cur.metadata!.resourceVersion } } as T;
    const strip = (o: k8s.KubernetesObject) => JSON.stringify({ ...o, metadata: undefined, status: undefined });
    const sameMeta =
      JSON.stringify(cur.metadata?.labels ?? {}) === JSON.stringify(next.metadata?.labels ?? {}) &&
      JSON.stringify(cur.metadata?.annotations ?? {}) === JSON.stringify(next.metadata?.annotations ?? {});
    if (strip(cur) === strip(next) && sameMeta) return cur;
    return (await this.objects.replace(next)) as T;
  }

  async remove(apiVersion: string, kind: string, namespace: string, name: string): Promise<void> {
    try {
      await this.objects.delete({ apiVersion, kind, metadata: { name, namespace } });
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
  }

  async list<T extends k8s.KubernetesObject>(apiVersion: string, kind: string, namespace: string, labelSelector?: string): Promise<T[]> {
    return (await this.objects.list<T>(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector)).items;
  }

  async secretData(namespace: string, name: string): Promise<{ data: Record<string, string>; resourceVersion: string } | undefined> {
    const s = await this.read<k8s.V1Secret>('v1', 'Secret', namespace, name);
    if (!s) return undefined;
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.data ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
    for (const [k, v] of Object.entries(s.stringData ?? {})) data[k] = v;
    return { data, resourceVersion: s.metadata!.resourceVersion! };
  }
}

export function ownerReference(obj: Resource): k8s.V1OwnerReference {
  return { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, uid: obj.metadata.uid!, controller: true, blockOwnerDeletion: true };
}
