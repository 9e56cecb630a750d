// The RERC specs tag a creating operator writes and peer operators read (rerc-propagation.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Resource } from '../../src/operator/kube.js';
import { mergeRercSpecs, RERC_SPECS_TAG, rercSpecsOf } from '../../src/operator/rerc-propagation.js';
import type { RercSpec } from '../../src/operator/schemas/rerc.js';

const spec = (rec: string, ns: string): RercSpec => ({ recName: rec, recNamespace: ns, apiFqdnUrl: `api-${rec}-${ns}.example.com`, dbFqdnSuffix: `.db-${rec}-${ns}.example.com`, secretName: `redis-enterprise-rerc-${rec}` });
const fqdn = (rec: string, ns: string) => `${rec}.${ns}.svc.cluster.local`;
const rerc = (name: string, s: RercSpec, extra: Partial<RercSpec> = {}): Resource<RercSpec> => ({ apiVersion: 'app.redislabs.com/v1alpha1', kind: 'RedisEnterpriseRemoteCluster', metadata: { name, namespace: 'x', uid: 'u' }, spec: { ...s, ...extra } });
const withTag = (value: string) => ({ tags: [{ key: 'managed_by', value: 'tandem-operator' }, { key: RERC_SPECS_TAG, value }] });

test('rercSpecsOf reads well-formed entries filed under the cluster they describe, and nothing else', () => {
  const good = { name: 'rerc-east', spec: spec('rec-east', 'redis-east') };
  const tagValue = JSON.stringify({
    [fqdn('rec-east', 'redis-east')]: good,
    [fqdn('rec-west', 'redis-west')]: { name: 'rerc-west', spec: spec('rec-elsewhere', 'redis-west') }, // filed under another cluster
    [fqdn('rec-north', 'redis-north')]: { name: 7, spec: spec('rec-north', 'redis-north') }, // not a name
    [fqdn('rec-south', 'redis-south')]: { name: 'rerc-south', spec: { recName: 'rec-south', recNamespace: 'redis-south' } }, // no apiFqdnUrl
  });
  assert.deepEqual(rercSpecsOf(withTag(tagValue) as never), { [fqdn('rec-east', 'redis-east')]: good });
  assert.deepEqual(rercSpecsOf(withTag('{not json') as never), {});
  assert.deepEqual(rercSpecsOf(withTag('null') as never), {});
  assert.deepEqual(rercSpecsOf({}), {});
});

test('mergeRercSpecs keeps existing entries, adds new participants from local RERCs, drops removed ones', () => {
  const existing = {
    [fqdn('rec-east', 'redis-east')]: { name: 'rerc-east', spec: spec('rec-east', 'redis-east') },
    [fqdn('rec-gone', 'redis-gone')]: { name: 'rerc-gone', spec: spec('rec-gone', 'redis-gone') },
  };
  const merged = mergeRercSpecs(existing, [
    // a local RERC with another name and port for an already-listed cluster does not overwrite the entry
    { fqdn: fqdn('rec-east', 'redis-east'), rerc: rerc('east-here', spec('rec-east', 'redis-east'), { apiPort: 8443, secretName: 'redis-enterprise-east-here' }) },
    { fqdn: fqdn('rec-north', 'redis-north'), rerc: rerc('rerc-north', spec('rec-north', 'redis-north'), { apiPort: 9443 }) },
  ]);
  assert.deepEqual(merged, {
    [fqdn('rec-east', 'redis-east')]: existing[fqdn('rec-east', 'redis-east')],
    [fqdn('rec-north', 'redis-north')]: { name: 'rerc-north', spec: { ...spec('rec-north', 'redis-north'), apiPort: 9443 } },
  });
  // only the fields that describe the remote cluster are carried
  const bare = mergeRercSpecs({}, [{ fqdn: fqdn('rec-a', 'ns'), rerc: rerc('a', { recName: 'rec-a', recNamespace: 'ns', apiFqdnUrl: 'api-a', extra: 1 } as RercSpec) }]);
  assert.deepEqual(bare[fqdn('rec-a', 'ns')]!.spec, { recName: 'rec-a', recNamespace: 'ns', apiFqdnUrl: 'api-a' });
});
