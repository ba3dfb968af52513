import { randomBytes, randomUUID } from "node:crypto";
import type { RawData, WebSocket } from "ws";
import { QueueFullError } from "../agents/queue.js";
import type { Logger } from "../infra/logger.js";
import type { AuthRateLimiter } from "../infra/rate-limit.js";
import { isTwoStage } from "../infra/rpc.js";
import { type AuthMode, checkSharedSecret, type ResolvedAuth } from "../infra/shared-secret.js";
import { InvalidSessionKeyError, UnknownAgentError } from "../routing/known-agents.js";
import { AUTH_FAILURE_MESSAGES } from "./auth.js";
import type { GatewayContext } from "./context.js";
import { credentialFingerprint, grantScopes, hasScope } from "./credential.js";
import {
  type ClientPresence,
  clientPresence,
  type EventOptions,
  EventSubscriptions,
  inAudience,
} from "./events.js";
import { connectParamsSchema, describeZodError, requestFrameSchema } from "./frames.js";
import { helloPayload } from "./hello.js";
import type { GatewayMethod } from "./methods/types.js";
import {
  CloseCodes,
  type ConnectParams,
  ErrorCodes,
  type ErrorShape,
  GatewayRequestError,
  HANDSHAKE_TIMEOUT_MS,
  MAX_BUFFERED_BYTES,
  MAX_FRAME_DEPTH,
  MIN_PROTOCOL_VERSION,
  nestsDeeperThan,
  type OperatorScope,
  PRECONNECT_MAX_PAYLOAD,
  PROTOCOL_VERSION,
  type RequestFrame,
} from "./protocol.js";

export { CloseCodes };

export interface ConnectionHost {
  readonly methods: ReadonlyMap<string, GatewayMethod>;
  readonly gateway: GatewayContext;
  readonly rateLimiter: AuthRateLimiter;
  readonly log: Logger;
  auth(): ResolvedAuth;
  onReady(conn: Connection): void;
  onClose(conn: Connection): void;
}

/**
 * How long a peer has to answer our close frame before its socket is destroyed. The ws
 * library waits 30 s; a client that never answers (a handshake flood) would hold its
 * socket, and its handshake slot, that long.
 */
const CLOSE_GRACE_MS = 2_000;

const AUTH_DETAIL_CODES = {
  token_missing: "AUTH_TOKEN_MISSING",
  token_mismatch: "AUTH_TOKEN_MISMATCH",
  password_missing: "AUTH_PASSWORD_MISSING",
  password_mismatch: "AUTH_PASSWORD_MISMATCH",
  rate_limited: "AUTH_RATE_LIMITED",
} as const;

/** One client socket: the challenge/connect handshake, then request dispatch and events. */
export class Connection {
  readonly id = randomUUID();
  state: "handshake" | "ready" | "closed" = "handshake";
  scopes: ReadonlySet<OperatorScope> = new Set();
  client?: ConnectParams["client"];
  /** `credentialFingerprint` of the auth this connection proved; set by connect. */
  credential?: string;
  /** When `connect` succeeded (presence entries carry it). */
  connectedAt = 0;
  /** What `sessions.subscribe` / `sessions.messages.subscribe` asked for. */
  readonly subscriptions = new EventSubscriptions();
  private seq = 0;
  private readonly nonce = randomBytes(16).toString("hex");
  private readonly handshakeTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    readonly remoteAddress: string,
    private readonly host: ConnectionHost,
    /** The upgrade request's `Origin` (a browser's page), already checked by the server. */
    readonly origin?: string,
  ) {
    socket.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    socket.on("close", () => this.onSocketClose());
    socket.on("error", (err) => host.log.debug(`socket error conn=${this.shortId}: ${err.message}`));
    this.handshakeTimer = setTimeout(
      () => this.close(CloseCodes.POLICY, "handshake timeout"),
      HANDSHAKE_TIMEOUT_MS,
    );
    this.handshakeTimer.unref();
    this.sendRaw({
      type: "event",
      event: "connect.challenge",
      payload: { nonce: this.nonce, ts: Date.now() },
    });
  }

  get shortId(): string {
    return this.id.slice(0, 8);
  }

  /**
   * Pushes an event with this connection's next `seq`; skipped when the client lacks
   * `scope` or is not in the event's audience (it did not subscribe).
   */
  sendEvent(event: string, payload?: unknown, scope?: OperatorScope, opts?: EventOptions): void {
    if (this.state !== "ready") return;
    if (scope && !hasScope(this.scopes, scope)) return;
    if (!inAudience(this.subscriptions, opts?.audience)) return;
    const stateVersion = opts?.stateVersion ? { stateVersion: opts.stateVersion } : {};
    this.sendRaw({ type: "event", event, payload, seq: this.seq++, ...stateVersion });
  }

  /** This client as a presence entry; undefined before `connect`. */
  presence(): ClientPresence | undefined {
    return this.client && clientPresence(this.client, this.scopes, this.connectedAt);
  }

  close(code: number, reason: string): void {
    if (this.state === "closed") return;
    this.state = "closed";
    clearTimeout(this.handshakeTimer);
    // Close reasons are limited to 123 bytes by the WebSocket protocol.
    this.socket.close(code, Buffer.from(reason).subarray(0, 123).toString());
    setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  private sendRaw(frame: object): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.host.log.warn(
        `closing slow client conn=${this.shortId}: send buffer over ${MAX_BUFFERED_BYTES} bytes`,
      );
      this.close(CloseCodes.POLICY, "client too slow (send buffer full)");
      return;
    }
    this.socket.send(JSON.stringify(frame));
  }

  private respond(
    id: string,
    result: { ok: true; payload: unknown } | { ok: false; error: ErrorShape },
  ): void {
    this.sendRaw(
      result.ok ? { type: "res", id, ok: true, payload: result.payload } : { type: "res", id, ...result },
    );
  }

  private onSocketClose(): void {
    this.state = "closed";
    clearTimeout(this.handshakeTimer);
    this.host.onClose(this);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.state === "closed") return;
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (this.state === "handshake") {
      this.onHandshakeMessage(data, isBinary, bytes);
      return;
    }
    const frame = parseFrame(data, isBinary);
    if (!frame.ok) {
      this.respond(frame.id ?? "invalid", { ok: false, error: invalidRequest(frame.message) });
      return;
    }
    void this.dispatch(frame.frame);
  }

  private onHandshakeMessage(data: RawData, isBinary: boolean, bytes: number): void {
    if (bytes > PRECONNECT_MAX_PAYLOAD) {
      this.close(
        CloseCodes.TOO_BIG,
        `frame too large before connect (limit ${PRECONNECT_MAX_PAYLOAD} bytes)`,
      );
      return;
    }
    const frame = parseFrame(data, isBinary);
    if (!frame.ok) {
      this.host.log.debug(
        `invalid handshake conn=${this.shortId} remote=${this.remoteAddress}: ${frame.message}`,
      );
      this.close(CloseCodes.POLICY, "invalid request frame");
      return;
    }
    const { id, method } = frame.frame;
    if (method !== "connect") {
      this.respond(id, {
        ok: false,
        error: invalidRequest("invalid handshake: first request must be connect"),
      });
      this.close(CloseCodes.POLICY, "first request must be connect");
      return;
    }
    this.handleConnect(id, frame.frame.params);
  }

  private handleConnect(id: string, rawParams: unknown): void {
    const parsed = connectParamsSchema.safeParse(rawParams);
    if (!parsed.success) {
      const message = `invalid connect params: ${describeZodError(parsed.error)}`;
      this.respond(id, { ok: false, error: invalidRequest(message) });
      this.close(CloseCodes.POLICY, "invalid connect params");
      return;
    }
    const params = parsed.data;
    if (params.maxProtocol < MIN_PROTOCOL_VERSION || params.minProtocol > PROTOCOL_VERSION) {
      this.respond(id, {
        ok: false,
        error: {
          ...invalidRequest("protocol mismatch"),
          details: { expectedProtocol: PROTOCOL_VERSION, minProtocol: MIN_PROTOCOL_VERSION },
        },
      });
      this.close(CloseCodes.PROTOCOL, "protocol mismatch");
      return;
    }
    if ((params.role ?? "operator") !== "operator") {
      this.respond(id, {
        ok: false,
        error: invalidRequest(`invalid role: ${params.role} (this gateway serves operators)`),
      });
      this.close(CloseCodes.POLICY, "invalid role");
      return;
    }

    const limiter = this.host.rateLimiter;
    const waitMs = limiter.retryAfterMs(this.remoteAddress);
    const auth = this.host.auth();
    const result =
      waitMs > 0
        ? { ok: false as const, reason: "rate_limited" as const }
        : checkSharedSecret(auth, params.auth ?? {});
    if (!result.ok) {
      // A missing credential is a misconfigured client, not a guess: only wrong secrets count.
      if (result.reason.endsWith("_mismatch")) limiter.recordFailure(this.remoteAddress);
      const retryAfterMs = limiter.retryAfterMs(this.remoteAddress) || undefined;
      this.host.log.warn(
        `unauthorized conn=${this.shortId} remote=${this.remoteAddress} client=${params.client.id} reason=${result.reason}`,
      );
      const message = AUTH_FAILURE_MESSAGES[result.reason];
      this.respond(id, {
        ok: false,
        error: {
          code: ErrorCodes.INVALID_REQUEST,
          message,
          details: { code: AUTH_DETAIL_CODES[result.reason], authReason: result.reason },
          ...(retryAfterMs ? { retryable: true, retryAfterMs } : {}),
        },
      });
      this.close(CloseCodes.POLICY, message);
      return;
    }
    limiter.reset(this.remoteAddress);

    clearTimeout(this.handshakeTimer);
    this.state = "ready";
    this.client = params.client;
    this.connectedAt = Date.now();
    this.credential = credentialFingerprint(auth);
    const { granted, refused } = grantScopes(auth, params.scopes);
    this.scopes = granted;
    if (refused.length > 0) {
      this.host.log.warn(
        `conn=${this.shortId} remote=${this.remoteAddress} asked for scopes its credential does not grant (${refused.join(", ")}); granted: ${[...granted].join(", ") || "none"}`,
      );
    }
    this.sendHello(id, params, result.method);
    this.host.log.debug(
      `client connected conn=${this.shortId} client=${params.client.id} remote=${this.remoteAddress}`,
    );
    this.host.onReady(this);
  }

  /** The `hello-ok` answer: what this gateway serves and what the client was granted. */
  private sendHello(id: string, params: ConnectParams, method: AuthMode): void {
    this.respond(id, {
      ok: true,
      payload: helloPayload({
        gateway: this.host.gateway,
        connId: this.id,
        params,
        methods: this.host.methods.keys(),
        authMethod: method,
        scopes: this.scopes,
      }),
    });
  }

  private async dispatch(frame: RequestFrame): Promise<void> {
    const { id, method } = frame;
    if (method === "connect") {
      this.respond(id, { ok: false, error: invalidRequest("already connected") });
      return;
    }
    const def = this.host.methods.get(method);
    if (!def) {
      this.respond(id, { ok: false, error: invalidRequest(`unknown method: ${method}`) });
      return;
    }
    if (!hasScope(this.scopes, def.scope)) {
      this.respond(id, {
        ok: false,
        error: { code: ErrorCodes.FORBIDDEN, message: `missing scope: ${def.scope}` },
      });
      return;
    }
    const params = def.params.safeParse(frame.params);
    if (!params.success) {
      this.respond(id, {
        ok: false,
        error: invalidRequest(`invalid params for ${method}: ${describeZodError(params.error)}`),
      });
      return;
    }
    try {
      const payload = await def.handle(params.data, {
        gateway: this.host.gateway,
        connId: this.id,
        scopes: this.scopes,
      });
      if (!isTwoStage(payload)) {
        this.respond(id, { ok: true, payload });
        return;
      }
      this.respond(id, { ok: true, payload: payload.accepted });
      this.respond(id, { ok: true, payload: await payload.final() });
    } catch (err) {
      this.respondError(id, method, err);
    }
  }

  private respondError(id: string, method: string, err: unknown): void {
    const known = knownErrorShape(err);
    if (known) {
      this.respond(id, { ok: false, error: known });
      return;
    }
    this.host.log.error(`method ${method} failed: ${(err as Error).stack ?? String(err)}`);
    this.respond(id, {
      ok: false,
      error: { code: ErrorCodes.UNAVAILABLE, message: `${method} failed: internal error` },
    });
  }
}

/** Errors a method may throw on purpose, as the client sees them (anything else is INTERNAL). */
function knownErrorShape(err: unknown): ErrorShape | undefined {
  if (err instanceof GatewayRequestError) return err.toShape();
  if (err instanceof UnknownAgentError)
    return { ...invalidRequest(err.message), details: { agentId: err.agentId, known: err.known } };
  if (err instanceof InvalidSessionKeyError) return invalidRequest(err.message);
  if (err instanceof QueueFullError) {
    return {
      code: ErrorCodes.UNAVAILABLE,
      message: err.message,
      retryable: true,
      details: { reason: "queue_full", scope: err.scope, limit: err.limit },
    };
  }
  return undefined;
}

function invalidRequest(message: string): ErrorShape {
  return { code: ErrorCodes.INVALID_REQUEST, message };
}

type ParsedFrame = { ok: true; frame: RequestFrame } | { ok: false; message: string; id?: string };

function parseFrame(data: RawData, isBinary: boolean): ParsedFrame {
  if (isBinary) return { ok: false, message: "binary frames are not supported; send JSON text frames" };
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  if (nestsDeeperThan(bytes, MAX_FRAME_DEPTH)) {
    return { ok: false, message: `frame nests deeper than ${MAX_FRAME_DEPTH} levels; send flatter JSON` };
  }
  const text = bytes.toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: "frame is not valid JSON" };
  }
  const parsed = requestFrameSchema.safeParse(value);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const rawId = (value as { id?: unknown } | null)?.id;
  const id = typeof rawId === "string" && rawId.length > 0 && rawId.length <= 256 ? rawId : undefined;
  return { ok: false, id, message: `invalid request frame: ${describeZodError(parsed.error)}` };
}
