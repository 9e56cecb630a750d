/**
 * REST API errors: an HTTP status with `{ "error_code": …, "description": … }`. Codes named by the
 * reference (k8s-control-plane.md §7) are used where it names them; the rest are listed in
 * docs/rest-api.md.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly description: string,
  ) {
    super(description);
  }

  toJSON(): { error_code: string; description: string } {
    return { error_code: this.errorCode, description: this.description };
  }
}

export const notFound = (what: string, id: string | number, code: string): HttpError => new HttpError(404, code, `${what} '${id}' does not exist`);
export const badRequest = (code: string, description: string): HttpError => new HttpError(400, code, description);
