import { Command } from "commander";
import { VERSION } from "../version.js";
import { registerAgentCommands } from "./agent.js";
import { registerAgentsCommands } from "./agents.js";
import { registerChannelsCommands } from "./channels.js";
import { registerCompletionCommand } from "./completion.js";
import { registerConfigCommands } from "./config.js";
import { registerCronCommands, registerSystemCommands } from "./cron.js";
import { registerDoctorCommand } from "./doctor.js";
import { registerGatewayControl } from "./gateway-control.js";
import { addGlobalOptions } from "./global-options.js";
import { registerMemoryCommands, registerSkillsCommands } from "./knowledge.js";
import { registerLogsCommand } from "./logs.js";
import { registerMessageCommands } from "./message.js";
import { registerModelsCommands } from "./models.js";
import { registerPairingCommands } from "./pairing.js";
import { registerRpcCommands } from "./rpc-commands.js";
import { registerSecurityCommands } from "./security.js";
import { registerSessionsCommands } from "./sessions.js";

export function buildProgram(): Command {
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

  registerRpcCommands(program, gateway);
  registerConfigCommands(program);
  registerCronCommands(program);
  registerSystemCommands(program);
  registerDoctorCommand(program);
  registerAgentCommands(program);
  registerPairingCommands(program);
  registerSecurityCommands(program);
  registerSessionsCommands(program);
  registerMemoryCommands(program);
  registerSkillsCommands(program);
  registerGatewayControl(gateway);
  registerLogsCommand(program);
  registerMessageCommands(program);
  registerAgentsCommands(program);
  registerChannelsCommands(program);
  registerModelsCommands(program);
  registerCompletionCommand(program);
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
      const { runGateway } = await import("./gateway/index.js");
      const code = await runGateway(opts);
      if (code !== 0) process.exitCode = code;
    });
}

export async function runCli(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
