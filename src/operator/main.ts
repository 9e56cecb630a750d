/**
 * `tandem operator`: runs the controllers (with leader election) and the admission webhook in one
 * process, configured from flags and the `operator-environment-config` environment.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import * as k8s from '@kubernetes/client-node';
import { kubeLookups, startAdmissionServer } from './admission/server.js';
import { Kube } from './kube.js';
import { Operator } from './operator.js';
import { ensureAdmissionCert, patchWebhookCaBundle } from './admission/certificate.js';

export interface OperatorCliOptions {
  namespace: string[];
  kubeconfig?: string;
  webhookPort: string;
  webhookCert?: string;
  webhookKey?: string;
  webhook: boolean;
  leaderElect: boolean;
  healthPort: string;
  clusterTlsInsecure?: boolean;
  clusterCa?: string;
  image?: string;
}

export async function runOperator(o: OperatorCliOptions): Promise<void> {
  const kc = new k8s.KubeConfig();
  if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
  else kc.loadFromDefault();
  const namespaces = o.namespace.length > 0 ? o.namespace : [process.env.WATCH_NAMESPACE ?? process.env.POD_NAMESPACE ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default'];
  const log = {
    info: (m: string) => process.stdout.write(`${new Date().toISOString()} INFO ${m}\n`),
    warn: (m: string) => process.stdout.write(`${new Date().toISOString()} WARN ${m}\n`),
    error: (m: string) => process.stderr.write(`${new Date().toISOString()} ERROR ${m}\n`),
  };
  const operator = new Operator({
    kubeConfig: kc,
    namespaces,
    log,
    env: process.env,
    clusterTls: { insecure: o.clusterTlsInsecure === true, ...(o.clusterCa ? { ca: readFileSync(o.clusterCa, 'utf8') } : {}) },
    ...(o.image ? { image: o.image } : {}),
    ...(o.leaderElect ? { leaderElection: { namespace: namespaces[0]! } } : {}),
  });
  await operator.start();
  if (o.webhook) {
    const kube = new Kube(kc);
    const tls =
      o.webhookCert && o.webhookKey
        ? { cert: readFileSync(o.webhookCert, 'utf8'), key: readFileSync(o.webhookKey, 'utf8') }
        : await ensureAdmissionCert(kube, namespaces[0]!);
    if (await patchWebhookCaBundle(kube, tls.cert).catch(() => false)) log.info('set the caBundle of the redis-enterprise-admission webhook');
    const wh = await startAdmissionServer({ lookups: kubeLookups(kube), tls, port: Number(o.webhookPort) });
    log.info(`admission webhook listening on :${wh.port}`);
  }
  const health = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', leader: operator.isLeader() }));
  });
  health.listen(Number(o.healthPort));
  const shutdown = async () => {
    await operator.stop();
    health.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}
