import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { renderDeployFiles } from '../../src/operator/deploy-files.js';
import { readRepoFile } from './gen-deploy.js';

test('generated files under deploy/ are current (run `npm run deploy` to regenerate)', () => {
  for (const [rel, content] of renderDeployFiles()) {
    assert.equal(readRepoFile(rel), content, `${rel} is stale`);
  }
});

test('CRDs carry the reference names, short names, printer columns and status subresource', () => {
  const files = renderDeployFiles();
  const crds = [...files].filter(([rel]) => rel.startsWith('deploy/crds/')).map(([, c]) => YAML.parse(c));
  const byName = new Map(crds.map((c) => [c.metadata.name, c]));
  const expect: [string, string, string, string[]][] = [
    ['redisenterpriseclusters.app.redislabs.com', 'RedisEnterpriseCluster', 'rec', ['v1', 'v1alpha1']],
    ['redisenterprisedatabases.app.redislabs.com', 'RedisEnterpriseDatabase', 'redb', ['v1alpha1']],
    ['redisenterpriseremoteclusters.app.redislabs.com', 'RedisEnterpriseRemoteCluster', 'rerc', ['v1alpha1']],
    ['redisenterpriseactiveactivedatabases.app.redislabs.com', 'RedisEnterpriseActiveActiveDatabase', 'reaadb', ['v1alpha1']],
  ];
  for (const [name, kind, short, versions] of expect) {
    const crd = byName.get(name);
    assert.ok(crd, name);
    assert.equal(crd.spec.group, 'app.redislabs.com');
    assert.equal(crd.spec.names.kind, kind);
    assert.deepEqual(crd.spec.names.shortNames, [short]);
    assert.deepEqual(
      crd.spec.versions.map((v: { name: string }) => v.name),
      versions,
    );
    for (const v of crd.spec.versions) assert.deepEqual(v.subresources, { status: {} });
    assert.equal(crd.spec.versions.filter((v: { storage: boolean }) => v.storage).length, 1);
  }
  const reaadb = byName.get('redisenterpriseactiveactivedatabases.app.redislabs.com');
  const cols = reaadb.spec.versions[0].additionalPrinterColumns.map((c: { name: string; jsonPath: string }) => `${c.name}=${c.jsonPath}`);
  assert.deepEqual(cols, ['Status=.status.status', 'Spec Status=.status.specStatus', 'Linked REDBs=.status.linkedRedbs[*]', 'Replication Status=.status.replicationStatus']);
  const rerc = byName.get('redisenterpriseremoteclusters.app.redislabs.com');
  assert.deepEqual(
    rerc.spec.versions[0].additionalPrinterColumns.map((c: { name: string }) => c.name),
    ['Status', 'Spec Status', 'Local'],
  );
  assert.equal(byName.get('redisenterpriseclusters.app.redislabs.com').spec.versions[1].deprecated, true);
});

test('REAADB globalConfigurations lists every field of reference §2.3', () => {
  const reaadb = YAML.parse(renderDeployFiles().get('deploy/crds/reaadb_crd.yaml')!);
  const gc = reaadb.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.globalConfigurations.properties;
  const reference = [
    'activeActive', 'alertSettings', 'auditing', 'backup', 'clientAuthenticationCertificates', 'connectionSettings',
    'dataInternodeEncryption', 'databasePort', 'databaseServicePort', 'databaseSecretName', 'defaultUser', 'evictionPolicy',
    'isRof', 'rofRamSize', 'rofRamRatio', 'searchOnBigstore', 'memcachedSaslSecretName', 'memorySize', 'modulesList',
    'ossCluster', 'ossClusterSettings', 'persistence', 'proxyPolicy', 'rackAware', 'redisEnterpriseCluster', 'redisVersion',
    'replicaSources', 'replication', 'resp3', 'rolesPermissions', 'shardCount', 'shardingEnabled', 'shardsPlacement', 'tags',
    'tlsMode', 'type', 'upgradeSpec',
  ];
  assert.deepEqual(Object.keys(gc).sort(), [...reference].sort());
  assert.deepEqual(gc.persistence.enum, ['disabled', 'aofEverySecond', 'aofAlways', 'snapshotEvery1Hour', 'snapshotEvery6Hour', 'snapshotEvery12Hour']);
  assert.deepEqual(Object.keys(gc.backup.properties).sort(), ['abs', 'ftp', 'gcs', 'interval', 'intervalOffset', 'mount', 's3', 'sftp', 'swift']);
  assert.equal(gc.alertSettings.properties.bdb_proxy_cert_expiring_soon.required.join(','), 'enabled,threshold');
  // CRDs must be structural: Kubernetes rejects additionalProperties: false.
  assert.ok(!JSON.stringify(reaadb).includes('"additionalProperties":false'));
});
