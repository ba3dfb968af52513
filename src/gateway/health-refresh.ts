import type { Logger } from "../infra/logger.js";

/** OpenClaw's HEALTH_REFRESH_INTERVAL_MS: how often a connected client gets a fresh `health` event. */
export const HEALTH_REFRESH_INTERVAL_MS = 60_000;

/**
 * Refreshes the health snapshot every HEALTH_REFRESH_INTERVAL_MS and publishes it (the
 * `health` event), as OpenClaw does; skipped while no client is connected (nobody would
 * hear it, and the snapshot reads every agent's session index). Returns the stop function.
 */
export function startHealthRefresh(opts: {
  snapshot: () => Promise<unknown>;
  publish: (snapshot: unknown) => void;
  clientCount: () => number;
  log: Logger;
}): () => void {
  let inFlight = false;
  const timer = setInterval(() => {
    if (inFlight || opts.clientCount() === 0) return;
    inFlight = true;
    opts
      .snapshot()
      .then(opts.publish, (err: Error) => opts.log.warn(`health refresh failed: ${err.message}`))
      .finally(() => {
        inFlight = false;
      });
  }, HEALTH_REFRESH_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
