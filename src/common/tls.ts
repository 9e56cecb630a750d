/** Self-signed serving certificates (the cluster REST API, the operator webhook), made with `selfsigned`. */
import { generate } from 'selfsigned';

export interface ServingCert {
  cert: string;
  key: string;
}

/** A certificate valid for the given DNS names and IPs that is its own CA (its PEM is the caBundle). */
export async function selfSignedCert(commonName: string, dnsNames: string[], ips: string[] = []): Promise<ServingCert> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    notAfterDate: new Date(Date.now() + 825 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...dnsNames.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** DNS names of an in-cluster Service. */
export const serviceDnsNames = (name: string, namespace: string): string[] => [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
