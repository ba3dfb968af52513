import { defineMethod as defineRpcMethod, type MethodCall, type MethodDefinition } from "../../infra/rpc.js";
import type { GatewayContext } from "../context.js";

/** A call to one of the gateway's own methods: it sees the running gateway. */
export type GatewayMethodCall = MethodCall<GatewayContext>;

/** One of the gateway's own methods; a plugin's are `MethodDefinition<P>`, blind to the gateway. */
export type GatewayMethod<P = unknown> = MethodDefinition<P, GatewayContext>;

/** `defineMethod` with the gateway's context, so handlers get a typed `call.gateway`. */
export function defineMethod<P>(def: GatewayMethod<P>): GatewayMethod {
  return defineRpcMethod<P, GatewayContext>(def);
}
