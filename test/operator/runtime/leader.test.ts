// Lease leader election against the test API server: one leader at a time, takeover after the
// leader stops renewing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Kube } from '../../../src/operator/kube.js';
import { LeaderElector } from '../../../src/operator/runtime/leader.js';
import { waitFor } from '../../helpers/wait-for.js';
import { KubeApiServer } from '../../k8s/api-server.js';

const api = new KubeApiServer();
before(() => api.start());
after(() => api.stop());

test('two candidates: exactly one leads; the other takes over when the leader stops', async () => {
  const kube = new Kube(api.kubeConfig('ops'));
  const leading = new Set<string>();
  const make = (id: string) =>
    new LeaderElector({
      kube,
      namespace: 'ops',
      name: 'lock',
      identity: id,
      leaseDurationS: 1,
      renewMs: 100,
      onStartedLeading: () => void leading.add(id),
      onStoppedLeading: () => void leading.delete(id),
    });
  const a = make('a');
  const b = make('b');
  a.start();
  b.start();
  await waitFor(() => leading.size === 1, { message: 'one leader' });
  // stays single over several renewals
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(leading.size, 1);
    assert.equal([a, b].filter((e) => e.isLeader()).length, 1);
  }
  const [first, second] = a.isLeader() ? [a, b] : [b, a];
  await first.stop();
  await waitFor(() => second.isLeader(), { timeout: 5000, message: 'takeover' });
  const lease = await kube.coordination.readNamespacedLease({ name: 'lock', namespace: 'ops' });
  assert.equal(lease.spec!.holderIdentity, first === a ? 'b' : 'a');
  assert.ok((lease.spec!.leaseTransitions ?? 0) >= 1);
  await second.stop();
});
