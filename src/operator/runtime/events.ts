/** Kubernetes Events about custom resources: what the controller did and why, repeated ones counted. */
import type * as k8s from '@kubernetes/client-node';
import type { Kube, Resource } from '../kube.js';

export class EventRecorder {
  private readonly recent = new Map<string, { name: string; count: number }>();

  constructor(
    private readonly kube: Kube,
    private readonly component: string,
  ) {}

  async record(obj: Resource, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const ns = obj.metadata.namespace!;
    const key = `${obj.metadata.uid}/${type}/${reason}/${message}`;
    const now = new Date().toISOString();
    const prev = this.recent.get(key);
    try {
      if (prev) {
        prev.count++;
        await this.kube.core.patchNamespacedEvent(
          { name: prev.name, namespace: ns, body: [{ op: 'replace', path: '/count', value: prev.count }, { op: 'replace', path: '/lastTimestamp', value: now }] },
        );
        return;
      }
      const name = `${obj.metadata.name}.${Date.now().toString(16)}${Math.floor(Math.random() * 4096).toString(16)}`;
      const ev: k8s.CoreV1Event = {
        metadata: { name, namespace: ns },
        involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: ns, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
        reason,
        message,
        type,
        count: 1,
        firstTimestamp: new Date(now),
        lastTimestamp: new Date(now),
        source: { component: this.component },
        reportingComponent: this.component,
      };
      await this.kube.core.createNamespacedEvent({ namespace: ns, body: ev });
      if (this.recent.size > 1000) this.recent.clear();
      this.recent.set(key, { name, count: 1 });
    } catch {
      // events are best effort: losing one must not fail a reconcile
    }
  }
}
