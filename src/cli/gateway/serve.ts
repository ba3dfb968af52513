import { formatWsUrl } from "../../gateway/net.js";
import type { GatewayServer } from "../../gateway/server.js";
import { secretHidingNote } from "../../infra/env-handoff.js";
import { closeLogging, createLogger, currentLogFile } from "../../infra/logger.js";
import { providersWithEnvKey, starterKeyList } from "../../providers/env-api-keys.js";
import { RESTART_EXIT_CODE } from "../gateway-control.js";
import type { Gateway } from "./create.js";
import type { GatewayPlan, Refusal } from "./preflight.js";

/** The exit code when the gateway's parts fail to build after it listened (as for a refused start). */
const EXIT_START_FAILED = 1;

/** SIGTERM must end the process within this, whatever is still pending. */
const SHUTDOWN_DEADLINE_MS = 4500;

const log = createLogger("gateway");

/**
 * Listens on the planned hosts and port, installs the signal handlers, logs the lines
 * the Fly guide and supervisors look for, and starts channels and plugins. Refuses
 * (releasing the lock) when the port cannot be bound; once listening, the process
 * ends through the signal handlers.
 */
export async function serve(plan: GatewayPlan, gateway: Gateway): Promise<Refusal | undefined> {
  const { resolution, port, lock } = plan;
  let server: GatewayServer;
  try {
    server = await gateway.listen(resolution.hosts, port, resolution.effective);
  } catch (err) {
    await lock.release();
    const code = (err as NodeJS.ErrnoException).code;
    const url = formatWsUrl(resolution.hosts[0]!, port);
    if (code === "EADDRINUSE") {
      return {
        ok: false,
        refusal: [
          `Gateway failed to start: another process is already listening on ${url}.`,
          "Pick another --port or stop that process.",
        ],
      };
    }
    return {
      ok: false,
      refusal: [`Gateway failed to start: cannot listen on ${url}: ${(err as Error).message}`],
    };
  }
  // Handlers first: a supervisor may signal us the moment it sees the listening line.
  const shutdown = installShutdown(gateway, lock);
  await lock.setPort(server.port);

  log.info(resolution.reason);
  const [primary, ...others] = server.hosts;
  log.info(`listening on ${formatWsUrl(primary!, server.port)} (PID ${process.pid})`);
  for (const host of others) log.info(`listening on ${formatWsUrl(host, server.port)}`);
  log.info(`ready in ${Date.now() - plan.startedAt} ms; log file: ${currentLogFile()}`);
  const hiding = secretHidingNote();
  if (hiding) log.debug(hiding);
  logNextSteps(plan);
  gateway.start().catch((err: Error) => {
    // The parts are built after listening; a failure there ends the process like a refused start.
    log.error(`Gateway failed to start: ${err.message}`);
    shutdown("a failed start", EXIT_START_FAILED);
  });
  return undefined;
}

/** Hints for a gateway that runs but cannot do much yet. */
function logNextSteps({ auth, env, snapshot }: GatewayPlan): void {
  if (auth.mode === "none") {
    log.warn(
      "no gateway token set: only clients on this machine can connect. Set OPENCLAW_GATEWAY_TOKEN before binding beyond loopback.",
    );
  }
  if (providersWithEnvKey(env).length === 0 && !snapshot.config.models) {
    log.info(`next: set a model key (${starterKeyList()}) so agents can answer`);
  }
}

/** Installs the signal handlers; returns the same stop, for the gateway's own reasons to end. */
function installShutdown(
  gateway: Gateway,
  lock: { release(): Promise<void> },
): (reason: string, exitCode: number) => void {
  let stopping = false;
  const stop = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    // Whatever hangs below, the process must end promptly (Fly sends SIGKILL after its timeout).
    setTimeout(() => process.exit(exitCode), SHUTDOWN_DEADLINE_MS).unref();
    log.info(`received ${reason}; shutting down`);
    try {
      await gateway.stop(reason === "SIGUSR1" ? "restart" : reason);
      await lock.release();
      log.info("stopped cleanly");
    } catch (err) {
      log.error(`error during shutdown: ${(err as Error).message}`);
    }
    await closeLogging();
    process.exit(exitCode);
  };
  process.on("SIGTERM", () => void stop("SIGTERM", 0));
  process.on("SIGINT", () => void stop("SIGINT", 0));
  // `openclaw gateway restart`: exit for the supervisor to start us again (docs/cli.md).
  process.on("SIGUSR1", () => void stop("SIGUSR1", RESTART_EXIT_CODE));
  process.on("unhandledRejection", (reason) => {
    log.error(`unhandled promise rejection: ${reason instanceof Error ? reason.stack : String(reason)}`);
  });
  process.on("uncaughtException", (err) => {
    log.error(`uncaught exception, exiting: ${err.stack ?? err.message}`);
    void stop("uncaught exception", 1);
  });
  return (reason, exitCode) => void stop(reason, exitCode);
}
