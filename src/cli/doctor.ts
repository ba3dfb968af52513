import type { Command } from "commander";

/** `openclaw doctor [--fix]`: the config report plus environment checks. */
export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description("check openclaw.json and the environment (volume, memory, tokens, lock)")
    .option(
      "--fix",
      "migrate legacy keys, remove unknown ones (after a backup), fix file mode, clear a stale lock",
    )
    .option("--repair", "same as --fix")
    .action(async (flags: { fix?: boolean; repair?: boolean }) => {
      const { doctorCommand } = await import("./doctor-checks.js");
      process.exitCode = await doctorCommand({ fix: flags.fix || flags.repair });
    });
}
