import type { Command } from "commander";

/** `openclaw security audit [--json] [--fix] [--bind <mode>]`: the foot-guns of this config and state dir. */
export function registerSecurityCommands(program: Command): void {
  const security = program.command("security").description("security tools: audit config and state");
  security
    .command("audit")
    .description("check the config and state dir for unsafe settings, each with its fix")
    .option("--json", "print the report as JSON ({ ts, summary, findings })")
    .option("--fix", "tighten file modes under the state dir (folders 700, files 600); changes nothing else")
    .option("--bind <mode>", "audit as if the gateway is started with this --bind (e.g. lan, as on Fly.io)")
    .action(async (flags: { json?: boolean; fix?: boolean; bind?: string }) => {
      const { securityAuditCommand } = await import("./security-command.js");
      process.exitCode = await securityAuditCommand(flags);
    });
}
