/**
 * The operator process: REC, REDB, RERC and REAADB controllers behind Lease leader election (two
 * replicas are safe: only the leader reconciles), the peer-side REAADB discovery loop, and the
 * `operator-environment-config` flags (reference §5.1).
 */
import { randomUUID } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';
import { OperatorContext, type OperatorOptions } from './context.js';
import { CR, Kube } from './kube.js';
import { reconcileRec } from './rec-controller.js';
import { reconcileRedb } from './redb-controller.js';
import { ReaadbReconciler, type ReaadbOptions } from './reaadb-controller.js';
import { reconcileRerc } from './rerc-controller.js';
import { Controller } from './runtime/controller.js';
import { LeaderElector } from './runtime/leader.js';

export const ENV_CONFIGMAP = 'operator-environment-config';

export interface OperatorFlags {
  activeActive: boolean;
  remoteCluster: boolean;
}

/** Flags from the ConfigMap (and the process environment it is loaded into); GA default: enabled. */
export function flagsFrom(env: Record<string, string | undefined>): OperatorFlags {
  const on = (v: string | undefined) => v === undefined || v === '' || !/^(false|0|no)$/i.test(v.trim());
  return { activeActive: on(env.ACTIVE_ACTIVE_DATABASE_CONTROLLER_ENABLED), remoteCluster: on(env.REMOTE_CLUSTER_CONTROLLER_ENABLED) };
}

export interface OperatorConfig extends OperatorOptions, ReaadbOptions {
  kubeConfig: k8s.KubeConfig;
  /** Lease-based leader election; off runs the controllers at once. */
  leaderElection?: { namespace: string; leaseName?: string; identity?: string; leaseDurationS?: number; renewMs?: number };
  env?: Record<string, string | undefined>;
}

export class Operator {
  readonly kube: Kube;
  readonly ctx: OperatorContext;
  private controllers: Controller[] = [];
  private elector: LeaderElector | undefined;
  private discoverTimer: NodeJS.Timeout | undefined;
  private generation = 0;
  private stopped = false;
  flags: OperatorFlags = { activeActive: true, remoteCluster: true };

  constructor(readonly config: OperatorConfig) {
    this.kube = new Kube(config.kubeConfig);
    this.ctx = new OperatorContext(this.kube, config.kubeConfig, config);
  }

  async readFlags(): Promise<OperatorFlags> {
    const env: Record<string, string | undefined> = { ...(this.config.env ?? {}) };
    for (const ns of this.config.namespaces) {
      const cm = await this.kube.read<k8s.V1ConfigMap>('v1', 'ConfigMap', ns, ENV_CONFIGMAP);
      if (cm?.data) Object.assign(env, cm.data);
    }
    return flagsFrom(env);
  }

  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.controllers.length > 0;
  }

  async start(): Promise<void> {
    const le = this.config.leaderElection;
    if (!le) return this.startControllers();
    this.elector = new LeaderElector({
      kube: this.kube,
      namespace: le.namespace,
      name: le.leaseName ?? 'tandem-operator-lock',
      identity: le.identity ?? `${process.env.HOSTNAME ?? 'operator'}-${randomUUID().slice(0, 8)}`,
      ...(le.leaseDurationS !== undefined ? { leaseDurationS: le.leaseDurationS } : {}),
      ...(le.renewMs !== undefined ? { renewMs: le.renewMs } : {}),
      onStartedLeading: () => this.startControllers(),
      onStoppedLeading: () => this.stopControllers(),
    });
    this.elector.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.elector) await this.elector.stop();
    await this.stopControllers();
  }

  private async startControllers(): Promise<void> {
    this.flags = await this.readFlags();
    if (this.stopped) return;
    const { ctx } = this;
    const base = { kube: this.kube, kubeConfig: this.config.kubeConfig, namespaces: this.config.namespaces, log: this.config.log, ...(this.config.resyncMs ? { resyncMs: this.config.resyncMs } : {}) };
    this.controllers.push(new Controller({ ...base, name: 'rec', ref: CR.rec, reconcile: (o) => reconcileRec(ctx, o) }));
    this.controllers.push(new Controller({ ...base, name: 'redb', ref: CR.redb, reconcile: (o) => reconcileRedb(ctx, o) }));
    if (this.flags.remoteCluster) this.controllers.push(new Controller({ ...base, name: 'rerc', ref: CR.rerc, reconcile: (o) => reconcileRerc(ctx, o) }));
    if (this.flags.activeActive) {
      const aa = new ReaadbReconciler(ctx, this.config);
      this.controllers.push(new Controller({ ...base, name: 'reaadb', ref: CR.reaadb, reconcile: (o) => aa.reconcile(o) }));
      const generation = ++this.generation;
      const discover = async () => {
        for (const ns of this.config.namespaces) await aa.materialise(ns).catch((e: unknown) => this.config.log.warn(`discovery in ${ns}: ${(e as Error).message}`));
        // stopped (or restarted) meanwhile: do not re-arm
        if (generation === this.generation) this.discoverTimer = setTimeout(() => void discover(), this.config.pollMs ?? 5000);
      };
      this.discoverTimer = setTimeout(() => void discover(), 0);
    }
    this.config.log.info(`operator: controllers ${this.controllers.map((c) => c.opts.name).join(', ')} on namespaces ${this.config.namespaces.join(', ')}`);
    await Promise.all(this.controllers.map((c) => c.start()));
  }

  private async stopControllers(): Promise<void> {
    this.generation++;
    if (this.discoverTimer) clearTimeout(this.discoverTimer);
    this.discoverTimer = undefined;
    const cs = this.controllers;
    this.controllers = [];
    await Promise.all(cs.map((c) => c.stop()));
  }
}
