import { type HttpRoute, sendJson } from "../infra/http.js";
import type { GatewayContext } from "./context.js";

/**
 * What the gateway is still waiting for before it is ready (`/readyz`, `health`):
 * each part (startup, a channel) registers as pending with a reason and is cleared
 * once started. Ready means nothing is pending.
 */
export class Readiness {
  private readonly pending = new Map<string, string>();

  wait(part: string, reason: string): void {
    this.pending.set(part, reason);
  }

  done(part: string): void {
    this.pending.delete(part);
  }

  snapshot(): { ready: boolean; failing: string[] } {
    const failing = [...this.pending].map(([part, reason]) => `${part}: ${reason}`);
    return { ready: failing.length === 0, failing };
  }
}

/** Liveness and readiness: no auth, no secrets (Fly's health check and Docker's HEALTHCHECK use them). */
export function healthRoutes(gateway: GatewayContext): HttpRoute[] {
  const live: HttpRoute["handle"] = (_req, res) => sendJson(res, 200, { ok: true, status: "live" });
  const ready: HttpRoute["handle"] = (_req, res) => {
    const { ready: isReady, failing } = gateway.readiness();
    sendJson(res, isReady ? 200 : 503, { ready: isReady, failing });
  };
  return [
    { path: "/healthz", methods: ["GET", "HEAD"], handle: live },
    { path: "/health", methods: ["GET", "HEAD"], handle: live },
    { path: "/readyz", methods: ["GET", "HEAD"], handle: ready },
    { path: "/ready", methods: ["GET", "HEAD"], handle: ready },
  ];
}
