import type { ErrorShape } from "../infra/rpc.js";

/**
 * OpenClaw's gateway WebSocket protocol: JSON text frames of three kinds
 * (`req`, `res`, `event`). Clients send `req`; the server answers each with one
 * `res` of the same id and pushes `event`s with a per-connection `seq`.
 */

/** The version we speak; we also accept clients whose range only reaches 3 (same frames). */
export const PROTOCOL_VERSION = 4;
export const MIN_PROTOCOL_VERSION = 3;

/** Largest frame before `connect` succeeds: a connect request is tiny. */
export const PRECONNECT_MAX_PAYLOAD = 64 * 1024;
/**
 * Bytes a socket may send in all before `connect` succeeds. The WebSocket library
 * buffers a whole frame up to MAX_PAYLOAD before we see it: counting the raw bytes
 * stops an unauthenticated peer at this, not at 8 MiB per socket.
 */
export const PRECONNECT_MAX_BYTES = 2 * PRECONNECT_MAX_PAYLOAD;
/**
 * Largest frame after `connect` (advertised as `policy.maxPayload`). The biggest real
 * frame is a `chat.send` with an image: Anthropic takes images up to 5 MB, 6.7 MiB in
 * base64, so 8 MiB carries one. Bytes alone are cheap; what made such a frame cost
 * 479 MB was its nesting (see MAX_FRAME_DEPTH), and many at once (the turn caps).
 */
export const MAX_PAYLOAD = 8 * 1024 * 1024;
/**
 * Deepest `[`/`{` nesting a frame may have. Real frames nest under 20 (a config
 * document inside `config.set` params); JSON.parse of 8 MB of `[` builds millions of
 * arrays (479 MB, a 3 s stall), so deeper frames are refused before parsing.
 */
export const MAX_FRAME_DEPTH = 64;
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
export const TICK_INTERVAL_MS = 30_000;
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Events this gateway emits (advertised in `hello-ok.features.events`). */
export const GATEWAY_EVENTS = [
  "connect.challenge",
  "tick",
  "shutdown",
  "chat",
  "agent",
  "cron",
  "heartbeat",
  "sessions.changed",
  "session.message",
  "presence",
  "health",
] as const;

/**
 * OpenClaw's feature flags (`hello-ok.features.capabilities`) for what we really do;
 * its clients refuse or hide whatever needs one we do not list.
 * `published-model-catalog`: `models.list` answers with the configured catalog
 * (OpenClaw's `models list` requires it).
 */
export const GATEWAY_CAPABILITIES = ["published-model-catalog"] as const;

/** WebSocket close codes the gateway uses. */
export const CloseCodes = {
  POLICY: 1008, // bad handshake, auth failure, slow consumer
  PROTOCOL: 1002, // protocol version mismatch
  TOO_BIG: 1009,
  RESTART: 1012, // gateway shutting down / restarting
} as const;

// The frames' zod schemas are in ./frames.ts, loaded with the first WebSocket (#23).
export type { ConnectParams, RequestFrame } from "./frames.js";

export interface ResponseFrame {
  type: "res";
  id: string;
  ok: boolean;
  payload?: unknown;
  error?: ErrorShape;
}

export interface EventFrame {
  type: "event";
  event: string;
  payload?: unknown;
  seq?: number;
}

export const CLIENT_IDS = [
  "webchat-ui",
  "openclaw-control-ui",
  "webchat",
  "cli",
  "gateway-client",
  "openclaw-macos",
  "openclaw-ios",
  "openclaw-android",
  "node-host",
  "test",
  "fingerprint",
  "openclaw-probe",
  "openclaw-tui",
  "openclaw-linux",
] as const;
export const CLIENT_MODES = ["webchat", "cli", "ui", "backend", "node", "probe", "test"] as const;

// One list for the protocol and `gateway.auth.scopes`; the config layer owns it.
export {
  type ErrorCode,
  ErrorCodes,
  type ErrorShape,
  GatewayRequestError,
  OPERATOR_SCOPES,
  type OperatorScope,
} from "../infra/rpc.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * Whether `bytes` (JSON text) nests arrays/objects deeper than `maxDepth`: one pass,
 * no allocation, brackets inside strings ignored. Strings are skipped with the native
 * indexOf (most of a frame's bytes are text). UTF-8 continuation bytes are all
 * >= 0x80, so they never look like a quote or a bracket. Invalid JSON is left for
 * JSON.parse to reject.
 */
export function nestsDeeperThan(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === QUOTE) {
      i = closingQuote(bytes, i);
      if (i < 0) return false;
    } else if (b === OPEN_BRACKET || b === OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if (b === CLOSE_BRACKET || b === CLOSE_BRACE) depth--;
  }
  return false;
}

/** Index of the quote that ends the string opening at `open` (one not escaped), or -1. */
function closingQuote(bytes: Uint8Array, open: number): number {
  let at = open;
  for (;;) {
    at = bytes.indexOf(QUOTE, at + 1);
    if (at < 0) return -1;
    let before = at - 1;
    while (bytes[before] === BACKSLASH) before--;
    // An even run of backslashes escapes itself, not the quote.
    if ((at - 1 - before) % 2 === 0) return at;
  }
}
