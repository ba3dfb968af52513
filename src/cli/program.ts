import { Command } from "commander";
import { VERSION } from "../version.js";
import { isGatewayRun } from "./argv.js";
import { addGlobalOptions } from "./global-options.js";

/** The root command and `openclaw gateway` (with its hidden `run` alias), nothing else (exported for src/cli/argv.test.ts). */
export function rootProgram(): { program: Command; gateway: Command } {
  const program = new Command("openclaw")
    .description("A self-hosted personal AI assistant gateway (OpenClaw-compatible)")
    .version(VERSION, "-V, --version")
    .enablePositionalOptions();
  addGlobalOptions(program);

  const gateway = withRunOptions(
    program
      .command("gateway")
      .description("run the gateway in the foreground (WebSocket + HTTP on one port)"),
  );
  withRunOptions(gateway.command("run", { hidden: true }).description("same as `openclaw gateway`"));
  return { program, gateway };
}

/** The whole CLI: every command registered. */
export async function buildProgram(): Promise<Command> {
  const { program, gateway } = rootProgram();
  const { registerCommands } = await import("./commands.js");
  registerCommands(program, gateway);
  return program;
}

function withRunOptions(cmd: Command): Command {
  return cmd
    .option("--port <port>", "port to listen on (default: OPENCLAW_GATEWAY_PORT, gateway.port, 18789)")
    .option("--bind <mode>", "loopback | lan | tailnet | auto | custom (default: gateway.bind, loopback)")
    .option("--token <token>", "shared token clients must present (also OPENCLAW_GATEWAY_TOKEN)")
    .option("--password <password>", "shared password clients must present (also OPENCLAW_GATEWAY_PASSWORD)")
    .option(
      "--allow-unconfigured",
      "start without gateway.mode=local; writes a minimal config if none exists",
    )
    .option("--force", "stop a running gateway on this state dir and take over")
    .option("--verbose", "log debug lines to the console")
    .action(async (opts) => {
      const { runGatewayCommand } = await import("./gateway/index.js");
      await runGatewayCommand(opts);
    });
}

/**
 * Parses `argv` and runs the command. Running the gateway (the hot path on every restart)
 * builds only the root and `gateway` commands; anything else loads the whole CLI.
 */
export async function runCli(argv: string[]): Promise<void> {
  const program = isGatewayRun(argv) ? rootProgram().program : await buildProgram();
  await program.parseAsync(argv);
}
