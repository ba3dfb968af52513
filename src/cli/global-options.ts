import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { LOG_THRESHOLDS } from "../infra/logger.js";

/** `--dev`'s gateway port, as OpenClaw sets it, so a dev gateway runs beside the real one. */
export const DEV_GATEWAY_PORT = 19001;

const PROFILE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

interface GlobalFlags {
  profile?: string;
  dev?: boolean;
  logLevel?: string;
  color?: boolean;
  container?: string;
}

/** `~/.openclaw` or `~/.openclaw-<profile>`: a state dir a profile may replace. */
function isCanonicalStateDir(dir: string, home: string): boolean {
  const base = path.basename(path.resolve(dir));
  return path.dirname(path.resolve(dir)) === home && /^\.openclaw(-[^/]+)?$/.test(base);
}

/**
 * The environment a global flag stands for; throws a one-sentence error for a bad value or an
 * unsupported flag. Applied before any command runs, so every command (and a gateway it
 * starts) sees the same state dir, port and log level.
 */
export function applyGlobalFlags(flags: GlobalFlags, env: NodeJS.ProcessEnv = process.env): void {
  if (flags.container !== undefined) {
    throw new Error(
      "--container is not supported: this CLI runs where it is installed; run it inside the container instead (docker exec -it <name> openclaw …)",
    );
  }
  const profile = flags.profile ?? (flags.dev ? "dev" : undefined);
  if (flags.profile && flags.dev && flags.profile !== "dev") {
    throw new Error("--dev and --profile name two different profiles: pass one of them");
  }
  if (profile !== undefined) {
    if (!PROFILE_NAME.test(profile)) {
      throw new Error(`--profile ${JSON.stringify(profile)}: use letters, digits, - or _ (at most 64)`);
    }
    const home = env.OPENCLAW_HOME || os.homedir();
    // Explicitly customised paths stay; the default and other profiles' paths are replaced.
    if (!env.OPENCLAW_STATE_DIR || isCanonicalStateDir(env.OPENCLAW_STATE_DIR, home)) {
      env.OPENCLAW_STATE_DIR = path.join(home, `.openclaw-${profile}`);
      const config = env.OPENCLAW_CONFIG_PATH;
      if (config && isCanonicalStateDir(path.dirname(config), home)) delete env.OPENCLAW_CONFIG_PATH;
    }
    if (flags.dev && !env.OPENCLAW_GATEWAY_PORT) env.OPENCLAW_GATEWAY_PORT = String(DEV_GATEWAY_PORT);
  }
  if (flags.logLevel !== undefined) {
    if (!(LOG_THRESHOLDS as readonly string[]).includes(flags.logLevel)) {
      throw new Error(`--log-level ${flags.logLevel}: use one of ${LOG_THRESHOLDS.join(", ")}`);
    }
    env.OPENCLAW_LOG_LEVEL = flags.logLevel;
  }
  if (flags.color === false) env.NO_COLOR = "1";
}

/** OpenClaw's global options; they go before the command (`openclaw --profile work logs`). */
export function addGlobalOptions(program: Command): void {
  program
    .option("--profile <name>", "isolate state under ~/.openclaw-<name> (sets OPENCLAW_STATE_DIR)")
    .option("--dev", `the dev profile: state under ~/.openclaw-dev, gateway port ${DEV_GATEWAY_PORT}`)
    .option("--log-level <level>", `log level for file and console (${LOG_THRESHOLDS.join(", ")})`)
    .option("--no-color", "no ANSI colours (NO_COLOR=1 works too)")
    .option("--container <name>", "not supported: run the CLI inside the container instead")
    .hook("preAction", (thisCommand) => {
      try {
        applyGlobalFlags(thisCommand.opts<GlobalFlags>());
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exit(2);
      }
    });
}
