/**
 * JSON responses of the operations API: every error is `{"error": {"status", "message"}}` with
 * the matching status code, never a stack trace.
 */

/** A request the API refuses, with the status to answer. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
    this.name = "HttpError";
  }
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** The JSON error response for `err`. */
export function errorResponse(err: HttpError): Response {
  return json({ error: { status: err.status, message: err.message } }, err.status, err.headers);
}

/** An integer query parameter within [min, max], `dflt` when absent. @throws HttpError 400 */
export function intParam(params: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null) return dflt;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new HttpError(400, `query parameter "${name}" must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** One of `values`, or undefined when absent. @throws HttpError 400 */
export function enumParam<T extends string>(params: URLSearchParams, name: string, values: readonly T[]): T | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!(values as readonly string[]).includes(raw)) {
    throw new HttpError(400, `query parameter "${name}" must be one of ${values.join(", ")}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}
