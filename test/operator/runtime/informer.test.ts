// The informer over client-node's Watch against the test API server: initial list, changes,
// deletions, and recovery after the history expired (410 → relist).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { Informer } from '../../../src/operator/runtime/informer.js';
import { waitFor } from '../../helpers/wait-for.js';
import { KubeApiServer } from '../../k8s/api-server.js';

const api = new KubeApiServer({ historySize: 5 });
before(() => api.start());
after(() => api.stop());

test('list then watch: adds, updates and deletes are reported by key; a relist after 410 catches up', async () => {
  const kc = api.kubeConfig('ns');
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'ns', body: { metadata: { name: 'pre' } } });
  const seen: string[] = [];
  const inf = new Informer<k8s.V1ConfigMap>({
    kubeConfig: kc,
    path: '/api/v1/namespaces/ns/configmaps',
    list: async () => {
      const l = await core.listNamespacedConfigMap({ namespace: 'ns' });
      return { items: l.items, resourceVersion: l.metadata!.resourceVersion! };
    },
    onChange: (key, obj) => seen.push(`${obj ? 'set' : 'del'} ${key}`),
  });
  await inf.start();
  await waitFor(() => inf.hasSynced());
  assert.deepEqual(seen, ['set ns/pre']);
  await core.createNamespacedConfigMap({ namespace: 'ns', body: { metadata: { name: 'a' } } });
  await core.deleteNamespacedConfigMap({ name: 'pre', namespace: 'ns' });
  await waitFor(() => seen.length >= 3, { message: 'watch events' });
  assert.deepEqual(seen.slice(1), ['set ns/a', 'del ns/pre']);
  assert.deepEqual(inf.list().map((o) => o.metadata!.name), ['a']);
  inf.stop();
  // many changes while not watching: the history (5 events) no longer reaches back → 410 → relist
  for (let i = 0; i < 10; i++) await core.createNamespacedConfigMap({ namespace: 'ns', body: { metadata: { name: `n${i}` } } });
  await core.deleteNamespacedConfigMap({ name: 'a', namespace: 'ns' });
  seen.length = 0;
  await inf.start();
  await waitFor(() => inf.list().length === 10, { message: 'caught up after relist' });
  assert.ok(seen.includes('del ns/a'));
  inf.stop();
});
