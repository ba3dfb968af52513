import path from "node:path";
import { ConfigError, loadConfig, loadDotEnv } from "../config/load.js";
import { resolveConfigPath, resolveStateDir } from "../config/paths.js";
import { formatAuditReport, runSecurityAudit } from "./security-audit.js";

/** Runs the audit on this machine's config and state dir; 1 when the config cannot be read. */
export async function securityAuditCommand(
  flags: { json?: boolean; fix?: boolean; bind?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const stateDir = resolveStateDir(env);
  const configPath = resolveConfigPath(env, stateDir);
  await loadDotEnv(path.join(stateDir, ".env"), env);
  let config: Awaited<ReturnType<typeof loadConfig>>["config"];
  try {
    config = (await loadConfig(configPath, env)).config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(
      `security audit: ${configPath} is not valid:\n${err.problems.map((p) => `  ${p}`).join("\n")}\n`,
    );
    return 1;
  }
  const report = await runSecurityAudit({
    config,
    env,
    bind: flags.bind,
    stateDir,
    configPath,
    fix: flags.fix,
  });
  if (flags.json) {
    const { fixed, ...rest } = report;
    process.stdout.write(
      `${JSON.stringify(flags.fix ? { fix: { changes: fixed }, report: rest } : rest, null, 2)}\n`,
    );
  } else {
    process.stdout.write(formatAuditReport(report));
  }
  return 0;
}
