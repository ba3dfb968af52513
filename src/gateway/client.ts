import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { VERSION } from "../version.js";
import type { ErrorShape, EventFrame, OperatorScope, ResponseFrame } from "./protocol.js";
import { PROTOCOL_VERSION } from "./protocol.js";

/** The gateway said no: carries its error shape. */
export class GatewayResponseError extends Error {
  constructor(
    readonly method: string,
    readonly error: ErrorShape,
  ) {
    super(`${method}: ${error.message}`);
    this.name = "GatewayResponseError";
  }
}

/** The gateway could not be reached or the socket dropped. */
export class GatewayTransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "GatewayTransportError";
  }
}

export interface GatewayClientOptions {
  url: string;
  token?: string;
  password?: string;
  scopes?: OperatorScope[];
  clientId?: "cli" | "gateway-client" | "test";
  timeoutMs?: number;
  /** Extra headers for the upgrade request (tests use Origin). */
  headers?: Record<string, string>;
}

export interface HelloOk {
  type: "hello-ok";
  protocol: number;
  server: { version: string; connId: string };
  features: { methods: string[]; events: string[] };
  policy: { maxPayload: number; maxBufferedBytes: number; tickIntervalMs: number };
  auth: { method: string; role: string; scopes: string[] };
  [key: string]: unknown;
}

export const CLI_SCOPES: OperatorScope[] = [
  "operator.admin",
  "operator.read",
  "operator.write",
  "operator.approvals",
  "operator.pairing",
];

/** A WebSocket client of the gateway protocol: handshake, then request/response and events. */
export class GatewayClient {
  private readonly pending = new Map<
    string,
    { method: string; resolve(v: unknown): void; reject(e: Error): void }
  >();
  private readonly listeners = new Set<(event: EventFrame) => void>();
  private closeInfo?: { code: number; reason: string };

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => this.onMessage(data.toString()));
    ws.on("close", (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      const err = new GatewayTransportError(
        `connection closed (${code}${reason.length ? ` ${reason}` : ""})`,
      );
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  /** Opens the socket, waits for the challenge, sends `connect` and resolves with `hello-ok`. */
  static async connect(opts: GatewayClientOptions): Promise<{ client: GatewayClient; hello: HelloOk }> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const ws = new WebSocket(opts.url, {
      handshakeTimeout: timeoutMs,
      headers: opts.headers,
      perMessageDeflate: false,
    });
    const client = new GatewayClient(ws);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new GatewayTransportError(`no challenge from ${opts.url} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      client.listeners.add(function onChallenge(event) {
        if (event.event !== "connect.challenge") return;
        client.listeners.delete(onChallenge);
        clearTimeout(timer);
        resolve();
      });
      ws.once("error", (err) => {
        clearTimeout(timer);
        reject(
          new GatewayTransportError(`cannot reach the gateway at ${opts.url}: ${describeSocketError(err)}`, {
            cause: err,
          }),
        );
      });
      ws.once("unexpected-response", (_req, res) => {
        clearTimeout(timer);
        reject(
          new GatewayTransportError(
            `the gateway at ${opts.url} refused the connection (HTTP ${res.statusCode})`,
          ),
        );
      });
    });
    const hello = (await client.request(
      "connect",
      {
        minProtocol: PROTOCOL_VERSION,
        maxProtocol: PROTOCOL_VERSION,
        client: { id: opts.clientId ?? "cli", version: VERSION, platform: process.platform, mode: "cli" },
        role: "operator",
        scopes: opts.scopes ?? CLI_SCOPES,
        auth: { token: opts.token, password: opts.password },
      },
      timeoutMs,
    )) as HelloOk;
    return { client, hello };
  }

  request(method: string, params?: unknown, timeoutMs = 30_000): Promise<unknown> {
    if (this.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(
        new GatewayTransportError(`connection is closed${this.closeInfo ? ` (${this.closeInfo.code})` : ""}`),
      );
    }
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new GatewayTransportError(`${method}: no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  onEvent(listener: (event: EventFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close(1000);
    });
  }

  private onMessage(text: string): void {
    let frame: ResponseFrame | EventFrame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame.type === "event") {
      for (const listener of this.listeners) listener(frame);
      return;
    }
    if (frame.type !== "res") return;
    const pending = this.pending.get(frame.id);
    if (!pending) return;
    this.pending.delete(frame.id);
    if (frame.ok) pending.resolve(frame.payload);
    else
      pending.reject(
        new GatewayResponseError(
          pending.method,
          frame.error ?? { code: "UNKNOWN", message: "request failed" },
        ),
      );
  }
}

function describeSocketError(err: Error & { code?: string }): string {
  if (err.code === "ECONNREFUSED")
    return "connection refused (is the gateway running? start it with `openclaw gateway`)";
  if (err.code === "ENOTFOUND") return "host not found";
  return err.message;
}
