import { z } from "zod";
import { defineMethod, type GatewayMethodCall } from "./types.js";

const noParams = z.object({}).optional();

function memory() {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external };
}

function pluginSummary(gateway: GatewayMethodCall["gateway"]) {
  const reports = gateway.plugins.status();
  return {
    loaded: reports.filter((r) => r.state === "loaded").map((r) => r.id),
    errors: reports.filter((r) => r.state === "error").map((r) => ({ id: r.id, error: r.reason ?? "" })),
  };
}

export const healthMethods = {
  health: defineMethod({
    scope: "operator.read",
    params: noParams,
    handle: (_params, { gateway }: GatewayMethodCall) => {
      const readiness = gateway.readiness();
      return {
        ok: true,
        status: "live",
        ready: readiness.ready,
        failing: readiness.failing,
        version: gateway.version,
        uptimeMs: Date.now() - gateway.startedAt,
        memory: memory(),
        // As OpenClaw reports them: ids loaded, and the ones that failed with why.
        plugins: pluginSummary(gateway),
        ts: Date.now(),
      };
    },
  }),
  status: defineMethod({
    scope: "operator.read",
    params: noParams,
    handle: (_params, { gateway, scopes }: GatewayMethodCall) => {
      const admin = scopes.has("operator.admin");
      const snapshot = gateway.config();
      return {
        version: gateway.version,
        pid: gateway.pid,
        uptimeMs: Date.now() - gateway.startedAt,
        gateway: { ...gateway.listening(), authMode: gateway.authMode() },
        readiness: gateway.readiness(),
        clients: gateway.clientCount(),
        memory: memory(),
        // Paths reveal the host layout: only for admins.
        ...(admin
          ? {
              configPath: snapshot.path,
              configHash: snapshot.hash,
              stateDir: gateway.stateDir,
              logFile: gateway.logFile(),
            }
          : {}),
      };
    },
  }),
  "plugins.list": defineMethod({
    scope: "operator.read",
    params: noParams,
    handle: (_params, { gateway }: GatewayMethodCall) => ({ plugins: gateway.plugins.status() }),
  }),
};
