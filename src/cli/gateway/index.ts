import { createLogger } from "../../infra/logger.js";
import { createGateway } from "./create.js";
import { type GatewayRunOptions, preflight } from "./preflight.js";
import { serve } from "./serve.js";

export type { GatewayRunOptions } from "./preflight.js";

/** Exit codes: 0 clean stop, 1 start refused or failed. */
const EXIT_REFUSED = 1;

const log = createLogger("gateway");

/**
 * `openclaw gateway`: check the start (`preflight`), wire the parts (`createGateway`),
 * and listen until SIGTERM/SIGINT (`serve`). Resolves with an exit code only when start
 * is refused; once listening, the process ends through the signal handlers.
 */
export async function runGateway(
  opts: GatewayRunOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const checked = await preflight(opts, env);
  if (!checked.ok) return refuse(checked.refusal);
  const { plan } = checked;
  const gateway = await createGateway({
    stateDir: plan.stateDir,
    configPath: plan.configPath,
    env,
    snapshot: plan.snapshot,
    auth: plan.auth,
    cli: opts,
    bind: plan.bind,
    beyondLoopback: plan.resolution.effective !== "loopback",
    port: plan.port,
    startedAt: plan.startedAt,
  });
  const failed = await serve(plan, gateway);
  return failed ? refuse(failed.refusal) : 0;
}

/** `openclaw gateway [run]` as a command: a refused start sets the exit code. */
export async function runGatewayCommand(opts: GatewayRunOptions): Promise<void> {
  const code = await runGateway(opts);
  if (code !== 0) process.exitCode = code;
}

/** Explains a refusal on stderr, one sentence per line, and returns the exit code. */
function refuse(lines: readonly string[]): number {
  for (const line of lines) log.error(line);
  return EXIT_REFUSED;
}
