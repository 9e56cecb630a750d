/**
 * A kubelet for tests: turns the StatefulSets stored in a KubeApiServer into real processes on
 * loopback, so the data path of operator tests is real. For each StatefulSet (replicas ≥ 1) it
 * creates pod `<name>-0`, runs the pod's container command (`node dist/src/cli/tandem.js node …`)
 * with `$(VAR)` references and secretKeyRef/fieldRef env resolved, rewriting only what loopback
 * needs (API port, bind and advertise addresses, data dir, database port range), waits for
 * `TANDEM NODE READY`, then reports the pod Running and the StatefulSet ready through the
 * status subresource. Deleting the StatefulSet stops the process.
 *
 * `TANDEM_NODE_BIN` selects the tandem.js to run (default: this checkout's dist/src/cli/tandem.js).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { freePort } from '../helpers/free-port.js';
import type { KubeApiServer } from './api-server.js';

export const DEFAULT_TANDEM_BIN = fileURLToPath(new URL('../../src/cli/tandem.js', import.meta.url));
export const tandemBin = (): string => process.env.TANDEM_NODE_BIN ?? DEFAULT_TANDEM_BIN;

/** Whether the tandem.js in use has the `node` subcommand (the cluster branch). */
export async function nodeCommandAvailable(): Promise<boolean> {
  if (!existsSync(tandemBin())) return false;
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [tandemBin(), 'node', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.on('exit', (code) => resolve(code === 0 && out.includes('--dir')));
  });
}

interface RunningPod {
  ns: string;
  sts: string;
  pod: string;
  proc: ChildProcess;
  port: number;
  url: string;
  dir: string;
  /** The data directory the pod spec names (remapped to `dir`). */
  dataDir: string;
  env: Record<string, string>;
  output: string;
  exited: boolean;
}

export class PodRunner {
  private readonly pods = new Map<string, RunningPod>();
  private readonly starting = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private apps!: k8s.AppsV1Api;
  private core!: k8s.CoreV1Api;
  private stopped = false;

  constructor(
    private readonly api: KubeApiServer,
    private readonly label: string,
  ) {}

  /** Starts following StatefulSets (the API server must be started). */
  start(): void {
    const kc = this.api.kubeConfig();
    this.apps = kc.makeApiClient(k8s.AppsV1Api);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    const loop = async () => {
      if (this.stopped) return;
      await this.sync().catch(() => undefined);
      if (!this.stopped) this.timer = setTimeout(() => void loop(), 200);
    };
    void loop();
  }

  /** The REST API URL of a StatefulSet's pod (once running). */
  urlOf(namespace: string, sts: string): string | undefined {
    return this.pods.get(`${namespace}/${sts}`)?.url;
  }

  portOf(namespace: string, sts: string): number | undefined {
    return this.pods.get(`${namespace}/${sts}`)?.port;
  }

  output(namespace: string, sts: string): string {
    return this.pods.get(`${namespace}/${sts}`)?.output ?? '';
  }

  /**
   * Runs one of the node's CLIs "inside" the pod (kubectl exec): the pod's environment, its data
   * directory, and localhost:9443 mapped to the pod's API port.
   */
  exec(namespace: string, sts: string, script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const pod = this.pods.get(`${namespace}/${sts}`);
    if (!pod) throw new Error(`no running pod for ${namespace}/${sts}`);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(pod.env)) env[k] = v.replace(pod.dataDir, pod.dir);
    env.TANDEM_CLUSTER_URL = pod.url;
    const bin = path.join(path.dirname(tandemBin()), script);
    return new Promise((resolve) => {
      const p = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (c) => (stdout += c));
      p.stderr.on('data', (c) => (stderr += c));
      p.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all([...this.pods.values()].map((p) => this.kill(p)));
  }

  private async kill(p: RunningPod): Promise<void> {
    this.pods.delete(`${p.ns}/${p.sts}`);
    if (!p.exited) {
      const gone = new Promise<void>((r) => p.proc.once('exit', () => r()));
      p.proc.kill('SIGTERM');
      const t = setTimeout(() => p.proc.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
    rmSync(p.dir, { recursive: true, force: true });
  }

  private async sync(): Promise<void> {
    const sets = this.api.objects('apps', 'statefulsets') as unknown as k8s.V1StatefulSet[];
    const want = new Set<string>();
    for (const s of sets) {
      const key = `${s.metadata!.namespace}/${s.metadata!.name}`;
      if ((s.spec?.replicas ?? 1) < 1 || s.metadata!.deletionTimestamp) continue;
      want.add(key);
      const running = this.pods.get(key);
      if (running && running.exited) await this.kill(running);
      if (!this.pods.has(key) && !this.starting.has(key)) {
        this.starting.add(key);
        void this.launch(s)
          .catch((e: unknown) => process.stderr.write(`pod-runner ${this.label}: ${key}: ${(e as Error).message}\n`))
          .finally(() => this.starting.delete(key));
      }
    }
    for (const [key, p] of this.pods) if (!want.has(key)) await this.kill(p);
  }

  private async resolveEnv(ns: string, c: k8s.V1Container): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
      if (e.value !== undefined) env[e.name] = e.value;
      else if (e.valueFrom?.secretKeyRef) {
        const s = await this.core.readNamespacedSecret({ name: e.valueFrom.secretKeyRef.name!, namespace: ns });
        const v = s.data?.[e.valueFrom.secretKeyRef.key];
        const sv = s.stringData?.[e.valueFrom.secretKeyRef.key];
        if (v !== undefined) env[e.name] = Buffer.from(v, 'base64').toString('utf8');
        else if (sv !== undefined) env[e.name] = sv;
        else throw new Error(`secret ${e.valueFrom.secretKeyRef.name} has no key ${e.valueFrom.secretKeyRef.key}`);
      } else if (e.valueFrom?.fieldRef?.fieldPath === 'status.podIP') env[e.name] = '127.0.0.1';
    }
    return env;
  }

  private async launch(s: k8s.V1StatefulSet): Promise<void> {
    const ns = s.metadata!.namespace!;
    const name = s.metadata!.name!;
    const podName = `${name}-0`;
    const c = s.spec!.template.spec!.containers[0]!;
    const env = await this.resolveEnv(ns, c);
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), `tandem-pod-${this.label}-${podName}-`));
    const base = 20000 + Math.floor(Math.random() * 200) * 200;
    const expand = (a: string) => a.replace(/\$\(([A-Z_][A-Z0-9_]*)\)/g, (_m, v: string) => env[v] ?? '');
    const args = (c.args ?? []).map(expand).map((a) => {
      if (a.startsWith('--port=')) return `--port=${port}`;
      if (a.startsWith('--bind=') || a.startsWith('--db-bind=')) return a.replace(/=.*/, '=127.0.0.1');
      if (a.startsWith('--dir=')) return `--dir=${dir}`;
      return a;
    });
    args.push(`--db-ports=${base}-${base + 199}`);
    const proc = spawn(process.execPath, [tandemBin(), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const dataDir = (c.args ?? []).find((a) => a.startsWith('--dir='))?.slice('--dir='.length) ?? '/nonexistent';
    const pod: RunningPod = { ns, sts: name, pod: podName, proc, port, url: `https://127.0.0.1:${port}`, dir, dataDir, env, output: '', exited: false };
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        pod.output = (pod.output + chunk.toString()).slice(-200_000);
        if (pod.output.includes('TANDEM NODE READY')) resolve();
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.on('exit', (code) => {
        pod.exited = true;
        reject(new Error(`node exited with ${code}: ${pod.output.slice(-2000)}`));
      });
    });
    this.pods.set(`${ns}/${name}`, pod);
    await ready;
    const labels = s.spec!.template.metadata?.labels ?? {};
    try {
      await this.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: podName, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: s.metadata!.uid!, controller: true }] }, spec: s.spec!.template.spec! } });
    } catch (e) {
      if ((e as { code?: number }).code !== 409) throw e;
    }
    const setPodStatus = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    await this.core.patchNamespacedPodStatus({ name: podName, namespace: ns, body: { status: { phase: 'Running', podIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] } } }, setPodStatus);
    await this.apps.patchNamespacedStatefulSetStatus({ name, namespace: ns, body: { status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, currentReplicas: 1 } } }, setPodStatus);
  }
}
