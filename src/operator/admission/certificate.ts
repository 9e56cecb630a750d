/**
 * The webhook's serving certificate, shared by every operator replica through the
 * `admission-tls` Secret (reference §1.1: key `cert` is the caBundle), and the caBundle of the
 * ValidatingWebhookConfiguration kept equal to it — so the bundle and the chart need no
 * pre-generated certificate.
 */
import type * as k8s from '@kubernetes/client-node';
import { statusOf, type Kube } from '../kube.js';
import { selfSignedCert, serviceDnsNames, type ServingCert } from '../../common/tls.js';
import { WEBHOOK_NAME } from './server.js';

export const ADMISSION_TLS_SECRET = 'admission-tls';
export const WEBHOOK_CONFIG_NAME = 'redis-enterprise-admission';

export async function ensureAdmissionCert(kube: Kube, namespace: string, serviceName = 'admission'): Promise<ServingCert> {
  const have = await kube.secretData(namespace, ADMISSION_TLS_SECRET);
  if (have?.data.cert && have.data.privateKey) return { cert: have.data.cert, key: have.data.privateKey };
  const made = await selfSignedCert(serviceName, serviceDnsNames(serviceName, namespace));
  try {
    await kube.objects.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: ADMISSION_TLS_SECRET, namespace },
      type: 'Opaque',
      stringData: { cert: made.cert, privateKey: made.key },
    } as k8s.V1Secret);
    return made;
  } catch (e) {
    // another replica won the race: use its certificate
    if (statusOf(e) !== 409) throw e;
    const s = await kube.secretData(namespace, ADMISSION_TLS_SECRET);
    return { cert: s!.data.cert!, key: s!.data.privateKey! };
  }
}

/** Sets the caBundle of our webhook in the ValidatingWebhookConfiguration, if it exists. */
export async function patchWebhookCaBundle(kube: Kube, certPem: string): Promise<boolean> {
  const cfg = await kube.read<k8s.V1ValidatingWebhookConfiguration>('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', '', WEBHOOK_CONFIG_NAME);
  if (!cfg) return false;
  const caBundle = Buffer.from(certPem).toString('base64');
  let changed = false;
  for (const wh of cfg.webhooks ?? []) {
    if (wh.name === WEBHOOK_NAME && wh.clientConfig.caBundle !== caBundle) {
      wh.clientConfig.caBundle = caBundle;
      changed = true;
    }
  }
  if (changed) await kube.objects.replace(cfg);
  return changed;
}
