/** The Bot API wire format as the fake speaks it: parameters in, `{ok, ...}` envelopes out. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseMultipart } from "../multipart.js";
import type { SentMessage } from "./index.js";

const DESCRIPTIONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  409: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
  500: "Internal Server Error",
  502: "Bad Gateway",
};

export interface Reply {
  status: number;
  body: unknown;
  /** The message this call sent, announced once the call is recorded. */
  sent?: SentMessage;
}

export const ok = (result: unknown): Reply => ({ status: 200, body: { ok: true, result } });

export function err(status: number, description?: string, parameters?: Record<string, unknown>): Reply {
  return {
    status,
    body: {
      ok: false,
      error_code: status,
      description: description ?? DESCRIPTIONS[status] ?? `Error ${status}`,
      ...(parameters ? { parameters } : {}),
    },
  };
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** JSON, urlencoded or multipart parameters (multipart values that are JSON are parsed). */
export async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  if (raw.length === 0) return {};
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json")) return JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
  const params: Record<string, unknown> = {};
  for (const part of await parseMultipart(raw, type)) {
    params[part.field] =
      "value" in part ? parseJson(part.value) : { name: part.file.name, size: part.file.size };
  }
  // grammY sends a file as `document: "attach://<field>"` plus the file in <field>.
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === "string" && value.startsWith("attach://")) {
      const field = value.slice("attach://".length);
      params[key] = params[field];
      delete params[field];
    }
  }
  return params;
}
