import type { z } from "zod";

/**
 * The vocabulary of RPC methods shared by the gateway, which serves them, and plugins,
 * which add some: operator scopes, error codes, and the shape of a method. The gateway
 * passes its own context type as `C`; a plugin's methods never see it.
 */

/** OpenClaw's operator scopes (the WS protocol's `scopes`; `gateway.auth.scopes` names a subset). */
export const OPERATOR_SCOPES = [
  "operator.admin",
  "operator.read",
  "operator.write",
  "operator.approvals",
  "operator.pairing",
] as const;
export type OperatorScope = (typeof OPERATOR_SCOPES)[number];

/** OpenClaw's error codes (auth failures are INVALID_REQUEST with `details.code`), plus CONFLICT for stale edits. */
export const ErrorCodes = {
  INVALID_REQUEST: "INVALID_REQUEST",
  FORBIDDEN: "FORBIDDEN",
  UNAVAILABLE: "UNAVAILABLE",
  NOT_PAIRED: "NOT_PAIRED",
  AGENT_TIMEOUT: "AGENT_TIMEOUT",
  CONFLICT: "CONFLICT",
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface ErrorShape {
  code: string;
  message: string;
  details?: unknown;
  retryable?: boolean;
  retryAfterMs?: number;
}

/** A handler's way to answer with a specific error shape instead of INTERNAL. */
export class GatewayRequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Omit<ErrorShape, "code" | "message"> = {},
  ) {
    super(message);
    this.name = "GatewayRequestError";
  }

  toShape(): ErrorShape {
    return { code: this.code, message: this.message, ...this.extra };
  }
}

/** Who called a method: `context` is what the server hands its own methods (unknown to plugins). */
export interface MethodCall<C = unknown> {
  readonly gateway: C;
  readonly connId: string;
  readonly scopes: ReadonlySet<OperatorScope>;
}

export interface MethodDefinition<P = unknown, C = unknown> {
  /** Scope needed; `operator.admin` satisfies all, `operator.write` satisfies read. */
  readonly scope: OperatorScope;
  readonly params: z.ZodType<P>;
  handle(params: P, call: MethodCall<C>): unknown;
}

/** Keeps the params type of each definition while collecting them in one map. */
export function defineMethod<P, C = unknown>(def: MethodDefinition<P, C>): MethodDefinition<unknown, C> {
  return def as MethodDefinition<unknown, C>;
}

/** A first answer now and a second, final one under the same request id later (OpenClaw's `agent`). */
export interface TwoStageResult {
  readonly [TWO_STAGE]: true;
  accepted: unknown;
  final: () => Promise<unknown>;
}

const TWO_STAGE = Symbol("twoStage");

export function twoStage(accepted: unknown, final: () => Promise<unknown>): TwoStageResult {
  return { [TWO_STAGE]: true, accepted, final };
}

export function isTwoStage(value: unknown): value is TwoStageResult {
  return typeof value === "object" && value !== null && TWO_STAGE in value;
}
