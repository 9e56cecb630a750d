/**
 * A small JSON client for the cluster REST API, used by crdb-cli, `tandem demo`, and the CRDB
 * coordinator when it talks to the other participating clusters. HTTP Basic auth; for HTTPS,
 * trusts the system CAs plus `ca` (e.g. a node's self-signed `tls/cert.pem`), or nothing at all
 * with `insecure`.
 */
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';

export interface ApiTarget {
  /** Base URL, e.g. `https://cluster1.example.com:9443`. */
  url: string;
  username?: string;
  password?: string;
  /** Extra trusted certificates (PEM). */
  ca?: string;
  /** Accept any server certificate (self-signed, wrong name). */
  insecure?: boolean;
  timeoutMs?: number;
  /** Aborts the request (a cancelled task). */
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: T;
}

/** A failed call: an HTTP error status with the cluster's `{error_code, description}`, or
 * (status 0) a cluster that could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly description: string,
  ) {
    super(status === 0 ? description : `${status} ${errorCode}: ${description}`);
  }
}

export async function apiRequest<T = unknown>(
  target: ApiTarget,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  let url: URL;
  try {
    url = new URL(path, target.url.endsWith('/') ? target.url : `${target.url}/`);
  } catch {
    throw new ApiError(0, 'invalid_url', `invalid cluster URL '${target.url}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ApiError(0, 'invalid_url', `cluster URL must start with http:// or https://, got '${target.url}'`);
  }
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const h: Record<string, string> = { accept: 'application/json', ...headers };
  if (payload !== undefined) {
    h['content-type'] = 'application/json';
    h['content-length'] = String(payload.length);
  }
  if (target.username !== undefined) {
    h.authorization = `Basic ${Buffer.from(`${target.username}:${target.password ?? ''}`).toString('base64')}`;
  }
  const timeout = target.timeoutMs ?? 15_000;
  return new Promise<ApiResponse<T>>((resolve, reject) => {
    const options: https.RequestOptions = { method, headers: h, timeout, ...(target.signal ? { signal: target.signal } : {}) };
    if (url.protocol === 'https:') {
      if (target.insecure) options.rejectUnauthorized = false;
      else if (target.ca !== undefined) options.ca = [...rootCertificates, target.ca];
    }
    const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => reject(new ApiError(0, 'unreachable', `${target.url}: ${e.message}`)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        if (text !== '') {
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
        }
        const status = res.statusCode ?? 0;
        if (status >= 400) {
          const e = parsed as { error_code?: unknown; description?: unknown; message?: unknown };
          const code = typeof e?.error_code === 'string' ? e.error_code : `http_${status}`;
          const desc = typeof e?.description === 'string' ? e.description : typeof e?.message === 'string' ? e.message : text || (res.statusMessage ?? '');
          reject(new ApiError(status, code, desc));
          return;
        }
        resolve({ status, headers: res.headers, body: parsed as T });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout} ms`)));
    req.on('error', (e) => reject(new ApiError(0, 'unreachable', `cannot reach ${target.url}: ${e.message}`)));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
