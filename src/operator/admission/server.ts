/**
 * The admission webhook server: HTTPS (fastify), `POST /admission` takes an AdmissionReview
 * (v1 or v1beta1, answered in the version asked) and denies CREATE/UPDATE of REDB, RERC and
 * REAADB with every problem found; `/liveness` and `/readiness` for probes.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type * as k8s from '@kubernetes/client-node';
import { CR, Kube, type Resource } from '../kube.js';
import type { DatabaseSpec } from '../schemas/database-spec.js';
import type { RecStatus } from '../schemas/rec.js';
import type { RercSpec } from '../schemas/rerc.js';
import { admissionProblems, type AdmissionLookups } from './rules.js';

export const WEBHOOK_NAME = 'redisenterprise.admission.redislabs';

interface AdmissionReview {
  apiVersion: string;
  kind: 'AdmissionReview';
  request?: {
    uid: string;
    kind: { group: string; version: string; kind: string };
    namespace?: string;
    operation: string;
    object?: Resource;
    oldObject?: Resource | null;
  };
}

export function kubeLookups(kube: Kube): AdmissionLookups {
  return {
    async secretKeys(namespace, name) {
      const s = await kube.read<k8s.V1Secret>('v1', 'Secret', namespace, name);
      return s ? [...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})] : undefined;
    },
    async rercs(namespace) {
      return (await kube.listCr<RercSpec, unknown>(CR.rerc, namespace)).items;
    },
    async redbs(namespace) {
      return (await kube.listCr<DatabaseSpec, unknown>(CR.redb, namespace)).items;
    },
    async license(namespace) {
      const recs = (await kube.listCr<unknown, RecStatus>(CR.rec, namespace)).items;
      for (const rec of recs) {
        const l = rec.status?.licenseStatus;
        if (l?.shardsLimit !== undefined) return { rec: rec.metadata.name, shardsLimit: l.shardsLimit, shardsUsage: l.shardsUsage ?? 0 };
      }
      return undefined;
    },
  };
}

export interface AdmissionServerOptions {
  lookups: AdmissionLookups;
  tls: { cert: string; key: string };
  port?: number;
  host?: string;
  logger?: boolean;
}

export async function startAdmissionServer(opts: AdmissionServerOptions): Promise<{ app: FastifyInstance; port: number; close(): Promise<void> }> {
  const app = Fastify({ https: { cert: opts.tls.cert, key: opts.tls.key }, logger: opts.logger ?? false, bodyLimit: 4 * 1024 * 1024 });
  app.get('/liveness', async () => ({ status: 'ok' }));
  app.get('/readiness', async () => ({ status: 'ok' }));
  app.post('/admission', async (req, reply) => {
    const review = req.body as AdmissionReview;
    const r = review?.request;
    if (!r || typeof r.uid !== 'string' || !r.object) {
      return reply.status(400).send({ error_code: 'invalid_admission_review', description: 'the body must be an AdmissionReview with request.uid and request.object' });
    }
    let problems: string[];
    try {
      problems = await admissionProblems(
        { operation: r.operation, kind: r.kind.kind, namespace: r.namespace ?? r.object.metadata.namespace ?? 'default', object: r.object, oldObject: r.oldObject ?? undefined },
        opts.lookups,
      );
    } catch (e) {
      // an unreadable cluster state must not let an unchecked object in
      problems = [`the webhook could not check the object: ${(e as Error).message}; retry`];
    }
    const response =
      problems.length === 0
        ? { uid: r.uid, allowed: true }
        : { uid: r.uid, allowed: false, status: { code: 400, reason: 'BadRequest', message: problems.join('; ') } };
    return { apiVersion: review.apiVersion, kind: 'AdmissionReview', response };
  });
  await app.listen({ port: opts.port ?? 8443, host: opts.host ?? '0.0.0.0' });
  const addr = app.server.address() as { port: number };
  return { app, port: addr.port, close: () => app.close() };
}
