// `tandem operator` as a process against the test API server: it serves /liveness, creates the
// shared admission-tls secret and sets the webhook configuration's caBundle from it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as k8s from '@kubernetes/client-node';
import { validatingWebhookConfiguration } from '../../src/operator/admission/webhook-config.js';
import { Kube } from '../../src/operator/kube.js';
import { crdObjects } from '../../src/operator/schemas/index.js';
import { freePort } from '../helpers/free-port.js';
import { waitFor } from '../helpers/wait-for.js';
import { KubeApiServer } from '../k8s/api-server.js';

const TANDEM = fileURLToPath(new URL('../../src/cli/tandem.js', import.meta.url));
const api = new KubeApiServer();
let proc: ChildProcess | undefined;
let dir = '';
let out = '';

before(async () => {
  await api.start();
  dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-operator-cli-'));
});
after(async () => {
  if (proc && proc.exitCode === null) {
    const gone = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGTERM');
    await gone;
  }
  rmSync(dir, { recursive: true, force: true });
  await api.stop();
});

test('tandem operator starts, answers /liveness, makes admission-tls and sets the caBundle', async () => {
  const kube = new Kube(api.kubeConfig('ops'));
  for (const crd of crdObjects()) await kube.objects.create(crd as k8s.KubernetesObject);
  const cfg = validatingWebhookConfiguration({ namespace: 'ops', caBundlePem: '' }) as { webhooks: { clientConfig: Record<string, unknown> }[] };
  delete cfg.webhooks[0]!.clientConfig.caBundle;
  await kube.objects.create(cfg as unknown as k8s.KubernetesObject);
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: t\n  cluster: {server: "${api.url}", insecure-skip-tls-verify: true}\nusers:\n- name: t\n  user: {token: x}\ncontexts:\n- name: t\n  context: {cluster: t, user: t, namespace: ops}\ncurrent-context: t\n`,
  );
  const health = await freePort();
  const webhook = await freePort();
  proc = spawn(process.execPath, [TANDEM, 'operator', '--kubeconfig', kubeconfig, '--namespace', 'ops', '--health-port', String(health), '--webhook-port', String(webhook)], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (c) => (out += c));
  proc.stderr!.on('data', (c) => (out += c));
  const body = await waitFor(
    async () => {
      const r = await fetch(`http://127.0.0.1:${health}/liveness`);
      return r.ok ? ((await r.json()) as { status: string; leader: boolean }) : undefined;
    },
    { timeout: 30_000, message: `operator health (output: ${out})` },
  );
  assert.equal(body.status, 'ok');
  const secret = await waitFor(() => kube.secretData('ops', 'admission-tls'), { timeout: 30_000, message: 'admission-tls' });
  assert.match(secret.data.cert!, /BEGIN CERTIFICATE/);
  const vwc = await waitFor(
    async () => {
      const v = await kube.read<k8s.V1ValidatingWebhookConfiguration>('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', '', 'redis-enterprise-admission');
      return v?.webhooks?.[0]?.clientConfig.caBundle ? v : undefined;
    },
    { timeout: 30_000, message: 'caBundle set' },
  );
  assert.equal(Buffer.from(vwc.webhooks![0]!.clientConfig.caBundle!, 'base64').toString(), secret.data.cert);
  await waitFor(async () => ((await (await fetch(`http://127.0.0.1:${health}/liveness`)).json()) as { leader: boolean }).leader, { timeout: 30_000, message: 'leader' });
  assert.match(out, /admission webhook listening on :\d+/);
});
