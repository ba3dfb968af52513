import type { z } from "zod";
import type { GatewayContext } from "../context.js";
import type { OperatorScope } from "../protocol.js";

export interface MethodCall {
  readonly gateway: GatewayContext;
  readonly connId: string;
  readonly scopes: ReadonlySet<OperatorScope>;
}

export interface MethodDefinition<P = unknown> {
  /** Scope needed; `operator.admin` satisfies all, `operator.write` satisfies read. */
  readonly scope: OperatorScope;
  readonly params: z.ZodType<P>;
  handle(params: P, call: MethodCall): unknown;
}

/** Keeps the params type of each definition while collecting them in one map. */
export function defineMethod<P>(def: MethodDefinition<P>): MethodDefinition<unknown> {
  return def as MethodDefinition<unknown>;
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
