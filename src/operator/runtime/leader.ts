/**
 * Leader election through a coordination.k8s.io/v1 Lease (client-go's leaderelection): acquire
 * when free or expired, renew every `renewMs`, step down when a renewal fails past the lease
 * duration. Writes are guarded by resourceVersion, so two candidates never both win.
 */
import type * as k8s from '@kubernetes/client-node';
import { statusOf, type Kube } from '../kube.js';

export interface LeaderOptions {
  kube: Kube;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationS?: number;
  renewMs?: number;
  onStartedLeading: () => void | Promise<void>;
  onStoppedLeading: () => void | Promise<void>;
}

export class LeaderElector {
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private lastRenew = 0;
  private stopped = false;

  constructor(private readonly opts: LeaderOptions) {}

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.leading) {
      this.leading = false;
      await this.release();
      await this.opts.onStoppedLeading();
    }
  }

  private get durationS(): number {
    return this.opts.leaseDurationS ?? 15;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch {
      ok = false;
    }
    // stop() may have run while the lease call was in flight: never start leading after it
    if (this.stopped) return;
    if (ok) {
      this.lastRenew = Date.now();
      if (!this.leading) {
        this.leading = true;
        await this.opts.onStartedLeading();
      }
    } else if (this.leading && Date.now() - this.lastRenew > this.durationS * 1000) {
      this.leading = false;
      await this.opts.onStoppedLeading();
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.opts.renewMs ?? 2000);
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { kube, namespace, name, identity } = this.opts;
    const now = new Date();
    let lease: k8s.V1Lease | undefined;
    try {
      lease = await kube.coordination.readNamespacedLease({ name, namespace });
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
    const spec: k8s.V1LeaseSpec = { holderIdentity: identity, leaseDurationSeconds: this.durationS, renewTime: now as unknown as k8s.V1MicroTime };
    if (!lease) {
      await kube.coordination.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: { ...spec, acquireTime: now as unknown as k8s.V1MicroTime, leaseTransitions: 0 } } });
      return true;
    }
    const holder = lease.spec?.holderIdentity;
    const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime as unknown as string).getTime() : 0;
    const expired = renewed + (lease.spec?.leaseDurationSeconds ?? this.durationS) * 1000 < now.getTime();
    if (holder && holder !== identity && !expired) return false;
    const transitions = (lease.spec?.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    await kube.coordination.replaceNamespacedLease({
      name,
      namespace,
      body: {
        ...lease,
        spec: { ...lease.spec, ...spec, leaseTransitions: transitions, ...(holder === identity ? {} : { acquireTime: now as unknown as k8s.V1MicroTime }) },
      },
    });
    return true;
  }

  private async release(): Promise<void> {
    try {
      const lease = await this.opts.kube.coordination.readNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace });
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      await this.opts.kube.coordination.replaceNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace, body: { ...lease, spec: { ...lease.spec, holderIdentity: undefined } } });
    } catch {
      // the lease expires on its own
    }
  }
}
