/**
 * The HTTP edge shared by the provider REST clients: one request with a timeout, and
 * the two ways it fails. Messages name the provider, the operation and the API's own
 * error text; they never carry credentials (those travel only in headers).
 */

/** The provider's API refused the request (the remote said no). */
export class VoiceApiError extends Error {
  constructor(
    readonly provider: "twilio" | "telnyx",
    readonly operation: string,
    readonly status: number,
    readonly code: string | undefined,
    detail: string,
    readonly moreInfo?: string,
  ) {
    const extra = [code && `code ${code}`, moreInfo].filter(Boolean).join(", ");
    super(`${provider} ${operation} failed: HTTP ${status} ${detail}${extra ? ` (${extra})` : ""}`);
    this.name = "VoiceApiError";
  }
}

/** The provider's API could not be reached or did not answer in time (the transport failed). */
export class VoiceTransportError extends Error {
  constructor(
    readonly provider: "twilio" | "telnyx",
    readonly operation: string,
    options: { cause: unknown },
  ) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`${provider} ${operation}: the API could not be reached (${reason})`, options);
    this.name = "VoiceTransportError";
  }
}

/** What a provider's error body says: its code, a one-line description, a link. */
export interface ApiErrorDetail {
  code?: string;
  detail: string;
  moreInfo?: string;
}

export interface ApiRequest {
  provider: "twilio" | "telnyx";
  operation: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Reads the provider's error body; gets undefined when the body is not JSON. */
  readError(body: unknown, status: number): ApiErrorDetail;
  timeoutMs: number;
}

/** POSTs and returns the parsed JSON answer (undefined for an empty body). */
export async function postApi(req: ApiRequest): Promise<unknown> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(req.url, {
      method: "POST",
      headers: req.headers,
      body: req.body,
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    text = await res.text();
  } catch (cause) {
    throw new VoiceTransportError(req.provider, req.operation, { cause });
  }
  const body = parseJson(text);
  if (!res.ok) {
    const { code, detail, moreInfo } = req.readError(body, res.status);
    throw new VoiceApiError(req.provider, req.operation, res.status, code, detail, moreInfo);
  }
  return body;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
