/**
 * Test "Kubernetes clusters" for operator end-to-end tests: each has its own API server (with our
 * CRDs and the admission webhook registered), a pod runner turning StatefulSets into real
 * `tandem node` processes, and an operator. External names (`apiFqdnUrl` of RERCs) resolve to
 * the pod of the REC they name, like DNS + a TLS-passthrough ingress would.
 */
import * as k8s from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { kubeLookups, startAdmissionServer } from '../../src/operator/admission/server.js';
import { validatingWebhookConfiguration } from '../../src/operator/admission/webhook-config.js';
import { ClusterApi } from '../../src/operator/cluster-api.js';
import { CR, Kube, type Resource } from '../../src/operator/kube.js';
import { Operator } from '../../src/operator/operator.js';
import { crdObjects } from '../../src/operator/schemas/index.js';
import type { RercSpec } from '../../src/operator/schemas/rerc.js';
import { selfSignedCert } from '../../src/common/tls.js';
import { KubeApiServer } from '../k8s/api-server.js';
import { PodRunner } from '../k8s/pod-runner.js';
import { waitFor } from '../helpers/wait-for.js';

/** apiFqdnUrl host → [cluster, namespace, rec] so every test cluster can "resolve" every other. */
const dns = new Map<string, { cluster: TestKubeCluster; namespace: string; rec: string }>();

export const apiHost = (rec: string, ns: string): string => `api-${rec}-${ns}.example.com`;
export const dbSuffix = (rec: string, ns: string): string => `.db-${rec}-${ns}.example.com`;

export class TestKubeCluster {
  readonly api = new KubeApiServer();
  readonly runner: PodRunner;
  kube!: Kube;
  operator!: Operator;
  private webhook: Awaited<ReturnType<typeof startAdmissionServer>> | undefined;
  readonly logs: string[] = [];

  constructor(
    readonly label: string,
    readonly namespace: string,
    /** More namespaces the same operator manages (several participating clusters in one Kubernetes cluster). */
    readonly extraNamespaces: string[] = [],
  ) {
    this.runner = new PodRunner(this.api, label);
  }

  async start(opts: { env?: Record<string, string> } = {}): Promise<void> {
    await this.api.start();
    this.kube = new Kube(this.api.kubeConfig(this.namespace));
    for (const crd of crdObjects()) await this.kube.objects.create(crd as k8s.KubernetesObject);
    const tls = await selfSignedCert('admission', ['localhost'], ['127.0.0.1']);
    this.webhook = await startAdmissionServer({ lookups: kubeLookups(this.kube), tls, port: 0, host: '127.0.0.1' });
    await this.kube.objects.create(validatingWebhookConfiguration({ namespace: this.namespace, caBundlePem: tls.cert, url: `https://127.0.0.1:${this.webhook.port}` }) as k8s.KubernetesObject);
    this.runner.start();
    const log = (lvl: string) => (m: string) => {
      this.logs.push(`${lvl} ${m}`);
      if (process.env.OPERATOR_TEST_LOG) process.stderr.write(`[${this.label}] ${lvl} ${m}\n`);
    };
    this.operator = new Operator({
      kubeConfig: this.api.kubeConfig(this.namespace),
      namespaces: [this.namespace, ...this.extraNamespaces],
      log: { info: log('INFO'), warn: log('WARN'), error: log('ERROR') },
      clusterTls: { insecure: true },
      recApiUrl: (ns, rec) => this.runner.urlOf(ns, rec) ?? 'https://127.0.0.1:1',
      rercApiUrl: (spec: RercSpec) => {
        const target = dns.get(spec.apiFqdnUrl);
        return target?.cluster.runner.urlOf(target.namespace, target.rec) ?? `https://${spec.apiFqdnUrl}:${spec.apiPort ?? 443}`;
      },
      ingressReplicationEndpoints: false,
      pollMs: 700,
      resyncMs: 5000,
      leaderElection: { namespace: this.namespace, leaseDurationS: 5, renewMs: 500 },
      env: opts.env ?? {},
    });
    await this.operator.start();
  }

  async stop(): Promise<void> {
    await this.operator?.stop();
    await this.runner.stop();
    await this.webhook?.close();
    await this.api.stop();
  }

  /** Creates a REC with the reference's ingressOrRouteSpec and waits until it runs. */
  async createRec(name: string, opts: { namespace?: string; crdbCliMethod?: boolean } = {}): Promise<void> {
    const ns = opts.namespace ?? this.namespace;
    dns.set(apiHost(name, ns), { cluster: this, namespace: ns, rec: name });
    const annotations = { 'kubernetes.io/ingress.class': 'haproxy', 'ingress.kubernetes.io/ssl-passthrough': 'true' };
    await this.kube.createCr(CR.rec, ns, {
      metadata: { name },
      spec: {
        nodes: 1,
        persistentSpec: { enabled: true, volumeSize: '1Gi' },
        ...(opts.crdbCliMethod
          ? { activeActive: { method: 'ingress', apiIngressUrl: apiHost(name, ns), dbIngressSuffix: dbSuffix(name, ns), ingressAnnotations: annotations } }
          : { ingressOrRouteSpec: { method: 'ingress', apiFqdnUrl: apiHost(name, ns), dbFqdnSuffix: dbSuffix(name, ns), ingressAnnotations: annotations } }),
      },
    });
    await waitFor(async () => (await this.kube.getCr<unknown, { state?: string }>(CR.rec, ns, name))?.status?.state === 'Running', {
      timeout: 90_000,
      interval: 200,
      message: `REC ${name} Running (${this.label})`,
    });
  }

  async recCredentials(name: string, ns = this.namespace): Promise<{ username: string; password: string }> {
    const s = await this.kube.secretData(ns, name);
    return { username: s!.data.username!, password: s!.data.password! };
  }

  async clusterApi(rec: string, ns = this.namespace): Promise<ClusterApi> {
    return new ClusterApi(this.runner.urlOf(ns, rec)!, await this.recCredentials(rec, ns), { insecure: true });
  }

  async applySecret(name: string, data: Record<string, string>, ns = this.namespace): Promise<void> {
    const body = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name, namespace: ns }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) };
    const cur = await this.kube.read('v1', 'Secret', ns, name);
    if (cur) await this.kube.objects.replace({ ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata!.resourceVersion } } as k8s.KubernetesObject);
    else await this.kube.objects.create(body as k8s.KubernetesObject);
  }

  async applyRerc(name: string, rec: string, recNamespace: string, ns = this.namespace): Promise<void> {
    await this.kube.createCr(CR.rerc, ns, {
      metadata: { name },
      spec: { recName: rec, recNamespace, apiFqdnUrl: apiHost(rec, recNamespace), dbFqdnSuffix: dbSuffix(rec, recNamespace), secretName: `redis-enterprise-${name}` },
    });
  }

  async get<S = Record<string, unknown>, T = Record<string, unknown>>(ref: (typeof CR)[keyof typeof CR], name: string, ns = this.namespace): Promise<Resource<S, T> | undefined> {
    return this.kube.getCr<S, T>(ref, ns, name);
  }
}

/** Runs `fn` with a Redis client connected (and authenticated) to a database instance. */
export async function withRedis<T>(port: number, password: string, fn: (c: Redis) => Promise<T>): Promise<T> {
  const c = new Redis({ port, password, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await c.connect();
    return await fn(c);
  } finally {
    c.disconnect();
  }
}
