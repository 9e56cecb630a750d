/** The ValidatingWebhookConfiguration registering the webhook (reference §1.1 step 3). */
import { GROUP } from '../schemas/schema.js';
import { WEBHOOK_NAME } from './server.js';

export interface WebhookConfigOptions {
  namespace: string;
  caBundlePem: string;
  serviceName?: string;
  /** Use a URL instead of a Service (tests, out-of-cluster runs). */
  url?: string;
  namespaceSelector?: Record<string, string>;
}

export function validatingWebhookConfiguration(opts: WebhookConfigOptions): Record<string, unknown> {
  const caBundle = Buffer.from(opts.caBundlePem).toString('base64');
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'redis-enterprise-admission', labels: { app: 'tandem' } },
    webhooks: [
      {
        name: WEBHOOK_NAME,
        clientConfig: opts.url ? { url: `${opts.url}/admission`, caBundle } : { service: { name: opts.serviceName ?? 'admission', namespace: opts.namespace, path: '/admission', port: 443 }, caBundle },
        rules: [
          {
            apiGroups: [GROUP],
            apiVersions: ['v1alpha1'],
            operations: ['CREATE', 'UPDATE'],
            resources: ['redisenterprisedatabases', 'redisenterpriseactiveactivedatabases', 'redisenterpriseremoteclusters'],
          },
        ],
        admissionReviewVersions: ['v1', 'v1beta1'],
        failurePolicy: 'Fail',
        matchPolicy: 'Exact',
        sideEffects: 'None',
        timeoutSeconds: 30,
        ...(opts.namespaceSelector ? { namespaceSelector: { matchLabels: opts.namespaceSelector } } : {}),
      },
    ],
  };
}
