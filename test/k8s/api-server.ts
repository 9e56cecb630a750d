/**
 * A Kubernetes API server for tests: plain HTTP, in memory, with the semantics the operator
 * depends on, reached through @kubernetes/client-node exactly as a real API server would be
 * (see `kubeConfigFor`).
 *
 * - Discovery (`/api`, `/api/v1`, `/apis`, `/apis/<g>/<v>`), so client-node's generic
 *   KubernetesObjectApi can resolve kinds.
 * - create / get / list / update (PUT) / patch (merge, strategic-merge treated as merge, JSON
 *   patch) / delete, namespaced and cluster-scoped, with `labelSelector` and
 *   `fieldSelector=metadata.name=…`.
 * - `resourceVersion` from one global counter; PUT (and a patch carrying a resourceVersion) with a
 *   stale one → 409 Conflict; create of an existing name → 409 AlreadyExists.
 * - `generation` starts at 1 and is bumped when anything but metadata and status changes.
 * - The status subresource: the main resource ignores status changes, `/status` changes only status.
 * - Finalizers: DELETE of an object with finalizers sets `deletionTimestamp`; removing the last
 *   finalizer then removes it; no new finalizers once deletion started. Dependents (by
 *   ownerReferences uid) are deleted with their owner.
 * - Watch (`?watch=true&resourceVersion=N`) streams ADDED/MODIFIED/DELETED after N from an event
 *   history (410 Gone when N is older than the history); without N the current objects are sent
 *   as ADDED first.
 * - CustomResourceDefinitions created here register their kinds; custom resources are validated
 *   against the CRD's openAPIV3Schema with ajv (unknown fields rejected, like kubectl's default
 *   `fieldValidation=Strict`), defaults applied.
 * - ValidatingWebhookConfigurations are honoured: matching CREATE/UPDATE requests are sent to the
 *   webhook as AdmissionReview (v1 or v1beta1), over HTTPS checked against `caBundle`; a denial is
 *   returned like Kubernetes does (`admission webhook "<name>" denied the request: …`).
 *
 * Not modelled (not used by the operator): server-side apply, namespaces as objects, resource
 * quotas, pagination (`limit`/`continue`), strategic-merge list semantics.
 */
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import * as k8s from '@kubernetes/client-node';
import type { ObjectMeta } from '../../src/operator/kube.js';
import { toStrictJsonSchema, type JSONSchemaProps } from '../../src/operator/schemas/schema.js';
import { matchesLabels } from './label-selector.js';
import { jsonPatch, mergePatch, PatchError } from './patch.js';

export interface KObject {
  apiVersion?: string;
  kind?: string;
  // The operator's view of object metadata (name optional: a create may give generateName).
  metadata: Partial<ObjectMeta> & { generateName?: string };
  spec?: unknown;
  status?: unknown;
  [k: string]: unknown;
}

interface ResourceType {
  group: string; // '' for core
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  statusSubresource: boolean;
  shortNames?: string[];
  validate?: ValidateFunction;
}

const CORE_TYPES: Omit<ResourceType, 'singular'>[] = [
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, statusSubresource: false },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, statusSubresource: false },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, statusSubresource: true },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, statusSubresource: true },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, statusSubresource: false },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, statusSubresource: false },
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true, statusSubresource: true },
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, statusSubresource: true },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, statusSubresource: true },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, statusSubresource: true },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true, statusSubresource: false },
  { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', namespaced: true, statusSubresource: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true, statusSubresource: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true, statusSubresource: false },
  { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false, statusSubresource: true },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'ValidatingWebhookConfiguration',
    plural: 'validatingwebhookconfigurations',
    namespaced: false,
    statusSubresource: false,
  },
];

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

interface WatchEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  typeKey: string;
  object: KObject;
}

interface Watcher {
  typeKey: string;
  namespace: string | undefined;
  labelSelector: string | undefined;
  name: string | undefined;
  res: http.ServerResponse;
}

export interface ApiServerOptions {
  /** Resolves a webhook `clientConfig.service` to a base URL (https://host:port). */
  resolveService?: (namespace: string, name: string, port: number) => string | undefined;
  /** How many watch events are kept for resuming watches (default 10000). */
  historySize?: number;
}

/** Admission request log entry, for tests that check the webhook was consulted. */
export interface AdmissionCall {
  webhook: string;
  operation: string;
  kind: string;
  name: string;
  allowed: boolean;
}

const typeKeyOf = (t: Pick<ResourceType, 'group' | 'version' | 'plural'>) => `${t.group}/${t.version}/${t.plural}`;
const apiVersionOf = (t: Pick<ResourceType, 'group' | 'version'>) => (t.group === '' ? t.version : `${t.group}/${t.version}`);

export class KubeApiServer {
  private readonly types = new Map<string, ResourceType>();
  /** typeKey → ns/name → object. Objects of a CRD's versions share storage by group/plural. */
  private readonly store = new Map<string, Map<string, KObject>>();
  private rv = 1;
  private history: WatchEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private server: http.Server | undefined;
  private readonly ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  readonly admissionCalls: AdmissionCall[] = [];
  url = '';

  constructor(private readonly opts: ApiServerOptions = {}) {
    for (const t of CORE_TYPES) this.types.set(typeKeyOf(t), { ...t, singular: t.kind.toLowerCase() });
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => this.sendError(res, e));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${addr.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** A KubeConfig pointing at this server (client-node needs skipTLSVerify for http URLs). */
  kubeConfig(namespace = 'default'): k8s.KubeConfig {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'test', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'test', token: 'test-token' }],
      contexts: [{ name: 'test', cluster: 'test', user: 'test', namespace }],
      currentContext: 'test',
    });
    return kc;
  }

  // ---- direct access for tests and the pod runner --------------------------------------------

  /** All stored objects of a kind (by plural and group), optionally in one namespace. */
  objects(group: string, plural: string, namespace?: string): KObject[] {
    const out: KObject[] = [];
    for (const [key, map] of this.store) {
      const [g, p] = key.split('/');
      if (g !== group || p !== plural) continue;
      for (const o of map.values()) if (namespace === undefined || o.metadata.namespace === namespace) out.push(structuredClone(o));
    }
    return out;
  }

  // ---- request handling ----------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter((p) => p !== '');
    const method = req.method ?? 'GET';
    if (parts.length === 0) return this.send(res, 200, { paths: ['/api', '/apis'] });
    // discovery
    if (parts[0] === 'api' && parts.length === 1) return this.send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (parts[0] === 'apis' && parts.length === 1) return this.send(res, 200, this.groupList());
    if (parts[0] === 'api' && parts.length === 2) return this.send(res, 200, this.resourceList('', parts[1]!));
    if (parts[0] === 'apis' && parts.length === 3) return this.send(res, 200, this.resourceList(parts[1]!, parts[2]!));
    if (parts[0] === 'version') return this.send(res, 200, { major: '1', minor: '30', gitVersion: 'v1.30.0-tandem-test' });

    const [group, version, rest] = parts[0] === 'api' ? ['', parts[1]!, parts.slice(2)] : [parts[1]!, parts[2]!, parts.slice(3)];
    let namespace: string | undefined;
    let r = rest;
    if (r[0] === 'namespaces' && r.length >= 3) {
      namespace = r[1];
      r = r.slice(2);
    }
    const [plural, name, sub] = r;
    const type = this.types.get(typeKeyOf({ group, version, plural: plural ?? '' }));
    if (!type) throw new HttpError(404, 'NotFound', `the server could not find the requested resource (${req.method} ${url.pathname})`);
    if (sub !== undefined && sub !== 'status') throw new HttpError(404, 'NotFound', `subresource ${sub} not supported`);
    const body = method === 'GET' || method === 'DELETE' ? undefined : await readBody(req);

    if (method === 'GET' && name === undefined) {
      if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') return this.watch(type, namespace, url, res);
      return this.send(res, 200, this.list(type, namespace, url.searchParams.get('labelSelector') ?? undefined, fieldName(url)));
    }
    if (method === 'GET') return this.send(res, 200, this.get(type, namespace, name!));
    if (method === 'POST' && name === undefined) return this.send(res, 201, await this.create(type, namespace, parseJson(body!), url.searchParams.get('dryRun') !== null));
    if (method === 'PUT' && name !== undefined) return this.send(res, 200, await this.update(type, namespace, name, parseJson(body!), sub === 'status'));
    if (method === 'PATCH' && name !== undefined) {
      const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      return this.send(res, 200, await this.patch(type, namespace, name, ct, body!, sub === 'status'));
    }
    if (method === 'DELETE' && name !== undefined) return this.send(res, 200, this.delete(type, namespace, name));
    throw new HttpError(405, 'MethodNotAllowed', `${method} is not allowed on ${url.pathname}`);
  }

  private groupList(): unknown {
    const groups = new Map<string, Set<string>>();
    for (const t of this.types.values()) {
      if (t.group === '') continue;
      const s = groups.get(t.group) ?? new Set<string>();
      s.add(t.version);
      groups.set(t.group, s);
    }
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => ({
        name,
        versions: [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${[...versions][0]!}`, version: [...versions][0]! },
      })),
    };
  }

  private resourceList(group: string, version: string): unknown {
    const resources = [...this.types.values()]
      .filter((t) => t.group === group && t.version === version)
      .flatMap((t) => [
        {
          name: t.plural,
          singularName: t.singular,
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
          ...(t.shortNames ? { shortNames: t.shortNames } : {}),
        },
        ...(t.statusSubresource ? [{ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] }] : []),
      ]);
    if (resources.length === 0) throw new HttpError(404, 'NotFound', `no resources in ${group}/${version}`);
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
  }

  /** Storage is shared by every version of a group/plural. */
  private bucket(type: ResourceType): Map<string, KObject> {
    const key = `${type.group}/${type.plural}`;
    let m = this.store.get(key);
    if (!m) {
      m = new Map();
      this.store.set(key, m);
    }
    return m;
  }

  private keyOf(type: ResourceType, namespace: string | undefined, name: string): string {
    if (type.namespaced && !namespace) throw new HttpError(400, 'BadRequest', `${type.kind} is namespaced: a namespace is required`);
    return type.namespaced ? `${namespace}/${name}` : name;
  }

  /** Returns the stored object as seen through `type`'s version. */
  private view(type: ResourceType, o: KObject): KObject {
    const c = structuredClone(o);
    c.apiVersion = apiVersionOf(type);
    c.kind = type.kind;
    return c;
  }

  private notFound(type: ResourceType, name: string): HttpError {
    return new HttpError(404, 'NotFound', `${type.plural}${type.group ? '.' + type.group : ''} "${name}" not found`, { name, kind: type.plural, group: type.group });
  }

  private get(type: ResourceType, namespace: string | undefined, name: string): KObject {
    const o = this.bucket(type).get(this.keyOf(type, namespace, name));
    if (!o) throw this.notFound(type, name);
    return this.view(type, o);
  }

  private list(type: ResourceType, namespace: string | undefined, labelSelector: string | undefined, name: string | undefined): unknown {
    const items = [...this.bucket(type).values()]
      .filter((o) => (namespace === undefined || o.metadata.namespace === namespace) && matchesLabels(labelSelector, o.metadata.labels))
      .filter((o) => name === undefined || o.metadata.name === name)
      .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`))
      .map((o) => this.view(type, o));
    return { apiVersion: apiVersionOf(type), kind: `${type.kind}List`, metadata: { resourceVersion: String(this.rv) }, items };
  }

  private validateObject(type: ResourceType, o: KObject): void {
    const name = o.metadata.name ?? '';
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
      throw new HttpError(422, 'Invalid', `${type.kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`);
    }
    if (type.validate && !type.validate(o)) {
      const msgs = (type.validate.errors ?? []).map((e) => {
        const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
        if (e.keyword === 'additionalProperties') return `${path ? path + '.' : ''}${(e.params as { additionalProperty: string }).additionalProperty}: field not declared in schema`;
        return `${path || '<root>'}: Invalid value: ${e.message ?? 'invalid'}`;
      });
      throw new HttpError(422, 'Invalid', `${type.kind}.${type.group} "${name}" is invalid: ${msgs.join(', ')}`);
    }
  }

  private async create(type: ResourceType, namespace: string | undefined, input: KObject, dryRun: boolean): Promise<KObject> {
    if (!input.metadata) throw new HttpError(400, 'BadRequest', 'metadata is required');
    const o = structuredClone(input);
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = o.metadata.generateName + randomUUID().slice(0, 5);
    if (type.namespaced) o.metadata.namespace = namespace ?? o.metadata.namespace;
    else delete o.metadata.namespace;
    const key = this.keyOf(type, o.metadata.namespace, o.metadata.name ?? '');
    if (this.bucket(type).has(key)) {
      throw new HttpError(409, 'AlreadyExists', `${type.plural}${type.group ? '.' + type.group : ''} "${o.metadata.name}" already exists`, { name: o.metadata.name, kind: type.plural });
    }
    o.apiVersion = apiVersionOf(type);
    o.kind = type.kind;
    if (type.statusSubresource) delete o.status; // set through /status only, as Kubernetes does
    this.validateObject(type, o);
    await this.admit(type, 'CREATE', o, undefined);
    if (dryRun) return o;
    o.metadata.uid = randomUUID();
    o.metadata.creationTimestamp = new Date().toISOString();
    o.metadata.generation = 1;
    delete o.metadata.deletionTimestamp;
    this.commit(type, key, o, 'ADDED');
    if (type.kind === 'CustomResourceDefinition') this.registerCrd(o);
    return this.view(type, o);
  }

  private async update(type: ResourceType, namespace: string | undefined, name: string, input: KObject, statusOnly: boolean): Promise<KObject> {
    const key = this.keyOf(type, namespace, name);
    const cur = this.bucket(type).get(key);
    if (!cur) throw this.notFound(type, name);
    if (!input.metadata) throw new HttpError(400, 'BadRequest', 'metadata is required');
    if (input.metadata.resourceVersion !== undefined && input.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw new HttpError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${type.plural}${type.group ? '.' + type.group : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, kind: type.plural },
      );
    }
    return this.replace(type, key, cur, input, statusOnly);
  }

  private async replace(type: ResourceType, key: string, cur: KObject, input: KObject, statusOnly: boolean): Promise<KObject> {
    let next: KObject;
    if (statusOnly) {
      next = structuredClone(cur);
      next.status = structuredClone(input.status);
    } else {
      next = structuredClone(input);
      // identity and server-managed fields are not writable
      next.metadata = {
        ...next.metadata,
        name: cur.metadata.name,
        namespace: cur.metadata.namespace,
        uid: cur.metadata.uid,
        creationTimestamp: cur.metadata.creationTimestamp,
        generation: cur.metadata.generation,
      };
      if (cur.metadata.deletionTimestamp) next.metadata.deletionTimestamp = cur.metadata.deletionTimestamp;
      else delete next.metadata.deletionTimestamp;
      if (type.statusSubresource) {
        if (cur.status === undefined) delete next.status;
        else next.status = structuredClone(cur.status);
      }
      if (cur.metadata.deletionTimestamp) {
        const had = new Set(cur.metadata.finalizers ?? []);
        const added = (next.metadata.finalizers ?? []).filter((f) => !had.has(f));
        if (added.length > 0) throw new HttpError(422, 'Invalid', `${type.kind} "${cur.metadata.name}" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`);
      }
    }
    next.apiVersion = apiVersionOf(type);
    next.kind = type.kind;
    if (contentOf(next) !== contentOf(cur)) next.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    this.validateObject(type, next);
    if (!statusOnly) await this.admit(type, 'UPDATE', next, cur);
    next.metadata.resourceVersion = cur.metadata.resourceVersion;
    if (JSON.stringify(next) === JSON.stringify(cur)) return this.view(type, cur); // no-op writes do not bump resourceVersion
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) {
      this.remove(type, key, next);
      return this.view(type, next);
    }
    this.commit(type, key, next, 'MODIFIED');
    if (type.kind === 'CustomResourceDefinition') this.registerCrd(next);
    return this.view(type, next);
  }

  private async patch(type: ResourceType, namespace: string | undefined, name: string, contentType: string, body: string, statusOnly: boolean): Promise<KObject> {
    const key = this.keyOf(type, namespace, name);
    const cur = this.bucket(type).get(key);
    if (!cur) throw this.notFound(type, name);
    const patchDoc = parseJson(body) as unknown;
    let next: KObject;
    try {
      if (contentType === 'application/json-patch+json') next = jsonPatch(cur, patchDoc) as KObject;
      else if (contentType === 'application/merge-patch+json' || contentType === 'application/strategic-merge-patch+json') next = mergePatch(cur, patchDoc) as KObject;
      else throw new HttpError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType})`);
    } catch (e) {
      if (e instanceof PatchError) throw new HttpError(422, 'Invalid', `the patch could not be applied: ${e.message}`);
      throw e;
    }
    if (next.metadata?.resourceVersion !== cur.metadata.resourceVersion) {
      throw new HttpError(409, 'Conflict', `Operation cannot be fulfilled on ${type.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: type.plural });
    }
    return this.replace(type, key, cur, next, statusOnly);
  }

  private delete(type: ResourceType, namespace: string | undefined, name: string): unknown {
    const key = this.keyOf(type, namespace, name);
    const cur = this.bucket(type).get(key);
    if (!cur) throw this.notFound(type, name);
    if ((cur.metadata.finalizers ?? []).length > 0) {
      if (!cur.metadata.deletionTimestamp) {
        const next = structuredClone(cur);
        next.metadata.deletionTimestamp = new Date().toISOString();
        this.commit(type, key, next, 'MODIFIED');
        return this.view(type, next);
      }
      return this.view(type, cur);
    }
    this.remove(type, key, cur);
    return { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name, kind: type.plural, uid: cur.metadata.uid } };
  }

  private remove(type: ResourceType, key: string, o: KObject): void {
    this.bucket(type).delete(key);
    this.rv++;
    o.metadata.resourceVersion = String(this.rv);
    this.emit(type, 'DELETED', o);
    this.collectDependents(o.metadata.uid!);
  }

  /** Background cascading deletion: objects owned by a removed object are deleted too. */
  private collectDependents(uid: string): void {
    for (const [bucketKey, map] of this.store) {
      const [group, plural] = bucketKey.split('/');
      const type = [...this.types.values()].find((t) => t.group === group && t.plural === plural);
      if (!type) continue;
      for (const o of [...map.values()]) {
        if ((o.metadata.ownerReferences ?? []).some((r) => r.uid === uid)) {
          try {
            this.delete(type, o.metadata.namespace, o.metadata.name!);
          } catch {
            // already gone
          }
        }
      }
    }
  }

  private commit(type: ResourceType, key: string, o: KObject, event: 'ADDED' | 'MODIFIED'): void {
    this.rv++;
    o.metadata.resourceVersion = String(this.rv);
    this.bucket(type).set(key, o);
    this.emit(type, event, o);
  }

  private emit(type: ResourceType, eventType: WatchEvent['type'], o: KObject): void {
    const typeKey = `${type.group}/${type.plural}`;
    const ev: WatchEvent = { rv: this.rv, type: eventType, typeKey, object: structuredClone(o) };
    this.history.push(ev);
    const max = this.opts.historySize ?? 10000;
    if (this.history.length > max) this.history = this.history.slice(this.history.length - max);
    for (const w of this.watchers) this.deliver(w, ev);
  }

  private deliver(w: Watcher, ev: WatchEvent): void {
    if (ev.typeKey !== w.typeKey) return;
    if (w.namespace !== undefined && ev.object.metadata.namespace !== w.namespace) return;
    if (w.name !== undefined && ev.object.metadata.name !== w.name) return;
    if (!matchesLabels(w.labelSelector, ev.object.metadata.labels)) return;
    const [group] = w.typeKey.split('/');
    const t = [...this.types.values()].find((x) => x.group === group && `${x.group}/${x.plural}` === w.typeKey)!;
    w.res.write(JSON.stringify({ type: ev.type, object: this.view(t, ev.object) }) + '\n');
  }

  private watch(type: ResourceType, namespace: string | undefined, url: URL, res: http.ServerResponse): void {
    const w: Watcher = {
      typeKey: `${type.group}/${type.plural}`,
      namespace,
      labelSelector: url.searchParams.get('labelSelector') ?? undefined,
      name: fieldName(url),
      res,
    };
    const rvParam = url.searchParams.get('resourceVersion');
    const from = rvParam ? Number(rvParam) : 0;
    const oldest = this.history.length > 0 ? this.history[0]!.rv : this.rv + 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders(); // clients wait for the headers before reading events
    if (from > 0 && from < oldest - 1) {
      res.end(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: `too old resource version: ${from} (${oldest - 1})` } }) + '\n');
      return;
    }
    if (from === 0) {
      for (const o of this.bucket(type).values()) {
        this.deliver(w, { rv: Number(o.metadata.resourceVersion), type: 'ADDED', typeKey: w.typeKey, object: o });
      }
    } else {
      for (const ev of this.history) if (ev.rv > from) this.deliver(w, ev);
    }
    this.watchers.add(w);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      this.watchers.delete(w);
    });
  }

  // ---- CRDs ----------------------------------------------------------------------------------

  private registerCrd(crd: KObject): void {
    const spec = crd.spec as {
      group: string;
      names: { kind: string; plural: string; singular: string; shortNames?: string[] };
      scope: string;
      versions: { name: string; served: boolean; subresources?: { status?: object }; schema?: { openAPIV3Schema: JSONSchemaProps } }[];
    };
    for (const v of spec.versions) {
      if (!v.served) continue;
      const t: ResourceType = {
        group: spec.group,
        version: v.name,
        kind: spec.names.kind,
        plural: spec.names.plural,
        singular: spec.names.singular,
        shortNames: spec.names.shortNames,
        namespaced: spec.scope === 'Namespaced',
        statusSubresource: v.subresources?.status !== undefined,
      };
      if (v.schema) {
        const schema = toStrictJsonSchema(v.schema.openAPIV3Schema);
        // metadata is validated by the server itself, never by the CRD schema
        (schema.properties as Record<string, unknown>).metadata = { type: 'object' };
        t.validate = this.ajv.compile(schema);
      }
      this.types.set(typeKeyOf(t), t);
    }
  }

  // ---- admission ---------------------------------------------------------------------------

  private async admit(type: ResourceType, operation: 'CREATE' | 'UPDATE', obj: KObject, old: KObject | undefined): Promise<void> {
    const configs = [...this.bucket(this.types.get('admissionregistration.k8s.io/v1/validatingwebhookconfigurations')!).values()];
    for (const cfg of configs) {
      for (const wh of (cfg.webhooks as WebhookSpec[] | undefined) ?? []) {
        const matches = (wh.rules ?? []).some(
          (r) =>
            (r.apiGroups.includes('*') || r.apiGroups.includes(type.group)) &&
            (r.apiVersions.includes('*') || r.apiVersions.includes(type.version)) &&
            (r.operations.includes('*') || r.operations.includes(operation)) &&
            (r.resources.includes('*') || r.resources.includes(type.plural)),
        );
        if (!matches) continue;
        await this.callWebhook(wh, type, operation, obj, old);
      }
    }
  }

  private async callWebhook(wh: WebhookSpec, type: ResourceType, operation: string, obj: KObject, old: KObject | undefined): Promise<void> {
    const version = (wh.admissionReviewVersions ?? ['v1']).find((v) => v === 'v1' || v === 'v1beta1') ?? 'v1';
    const uid = randomUUID();
    const review = {
      apiVersion: `admission.k8s.io/${version}`,
      kind: 'AdmissionReview',
      request: {
        uid,
        kind: { group: type.group, version: type.version, kind: type.kind },
        resource: { group: type.group, version: type.version, resource: type.plural },
        requestKind: { group: type.group, version: type.version, kind: type.kind },
        requestResource: { group: type.group, version: type.version, resource: type.plural },
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        operation,
        userInfo: { username: 'test-user', groups: ['system:authenticated'] },
        object: obj,
        oldObject: old ?? null,
        dryRun: false,
        options: { apiVersion: 'meta.k8s.io/v1', kind: operation === 'CREATE' ? 'CreateOptions' : 'UpdateOptions' },
      },
    };
    let base: string | undefined;
    const cc = wh.clientConfig;
    if (cc.url) base = cc.url;
    else if (cc.service) {
      const resolved = this.opts.resolveService?.(cc.service.namespace, cc.service.name, cc.service.port ?? 443);
      if (resolved) base = resolved + (cc.service.path ?? '');
    }
    const fail = (why: string) => {
      if (wh.failurePolicy === 'Ignore') return;
      throw new HttpError(500, 'InternalError', `Internal error occurred: failed calling webhook "${wh.name}": ${why}`);
    };
    if (!base) return fail(`no endpoints available for service "${cc.service?.name ?? '?'}"`);
    let reply: { response?: { uid?: string; allowed?: boolean; status?: { message?: string; code?: number; reason?: string } } };
    try {
      reply = await postJson(base, review, cc.caBundle ? Buffer.from(cc.caBundle, 'base64') : undefined, (wh.timeoutSeconds ?? 10) * 1000);
    } catch (e) {
      return fail((e as Error).message);
    }
    if (!reply.response || reply.response.uid !== uid) return fail('the response did not carry the request uid');
    const allowed = reply.response.allowed === true;
    this.admissionCalls.push({ webhook: wh.name, operation, kind: type.kind, name: obj.metadata.name ?? '', allowed });
    if (!allowed) {
      const st = reply.response.status ?? {};
      throw new HttpError(st.code ?? 400, st.reason ?? 'BadRequest', `admission webhook "${wh.name}" denied the request: ${st.message ?? 'without a message'}`);
    }
  }

  // ---- responses -----------------------------------------------------------------------------

  private send(res: http.ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private sendError(res: http.ServerResponse, e: unknown): void {
    const err = e instanceof HttpError ? e : new HttpError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
    if (res.headersSent) {
      res.end();
      return;
    }
    this.send(res, err.code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.message, reason: err.reason, code: err.code, ...(err.details ? { details: err.details } : {}) });
  }
}

interface WebhookSpec {
  name: string;
  clientConfig: { url?: string; caBundle?: string; service?: { namespace: string; name: string; path?: string; port?: number } };
  rules?: { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }[];
  admissionReviewVersions?: string[];
  failurePolicy?: 'Fail' | 'Ignore';
  timeoutSeconds?: number;
}

function contentOf(o: KObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

function fieldName(url: URL): string | undefined {
  const fs = url.searchParams.get('fieldSelector');
  if (!fs) return undefined;
  const m = fs.match(/^metadata\.name=(.+)$/);
  if (!m) throw new HttpError(400, 'BadRequest', `field selector ${fs} is not supported (only metadata.name=…)`);
  return m[1];
}

function parseJson(body: string): KObject {
  try {
    return JSON.parse(body) as KObject;
  } catch (e) {
    throw new HttpError(400, 'BadRequest', `the request body is not valid JSON: ${(e as Error).message}`);
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function postJson(url: string, body: unknown, ca: Buffer | undefined, timeoutMs: number): Promise<never> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      { method: 'POST', headers: { 'content-type': 'application/json' }, timeout: timeoutMs, ...(ca ? { ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 300) return reject(new Error(`webhook answered ${res.statusCode}: ${text}`));
          try {
            resolve(JSON.parse(text) as never);
          } catch (e) {
            reject(e as Error);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`context deadline exceeded after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
