import type { Command } from "commander";
import { registerAgentCommands } from "./agent.js";
import { registerAgentsCommands } from "./agents.js";
import { registerChannelsCommands } from "./channels.js";
import { registerCompletionCommand } from "./completion.js";
import { registerConfigCommands } from "./config.js";
import { registerCronCommands, registerSystemCommands } from "./cron.js";
import { registerDoctorCommand } from "./doctor.js";
import { registerGatewayControl } from "./gateway-control.js";
import { registerMemoryCommands, registerSkillsCommands } from "./knowledge.js";
import { registerLogsCommand } from "./logs.js";
import { registerMcpCommands } from "./mcp.js";
import { registerMessageCommands } from "./message.js";
import { registerModelsCommands } from "./models.js";
import { registerPairingCommands } from "./pairing.js";
import { registerRpcCommands } from "./rpc-commands.js";
import { registerSecurityCommands } from "./security.js";
import { registerSessionsCommands } from "./sessions.js";

/**
 * Every command besides running the gateway. Loaded by `program.ts` only when the command
 * line asks for one of them (or for help): `openclaw gateway` starts without evaluating
 * the CLI's other modules and what they import.
 */
export function registerCommands(program: Command, gateway: Command): void {
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
  registerMcpCommands(program);
  registerGatewayControl(gateway);
  registerLogsCommand(program);
  registerMessageCommands(program);
  registerAgentsCommands(program);
  registerChannelsCommands(program);
  registerModelsCommands(program);
  // Last: it walks the command tree registered above.
  registerCompletionCommand(program);
}
