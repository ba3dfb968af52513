import type { Command } from "commander";
import { registerChannelLoginCommand } from "./channels-login.js";
import { addClientOptions as withClientOptions } from "./client-options.js";
import type { ClientFlags } from "./connection.js";

/** Loaded on use, so `openclaw --version` and `--help` stay instant. */
const callAndPrint: typeof import("./connection.js").callAndPrint = async (...args) =>
  (await import("./connection.js")).callAndPrint(...args);

/** Client options plus `--json` for the raw payload. */
function addClientOptions(cmd: Command): Command {
  return withClientOptions(cmd).option("--json", "print raw JSON");
}

const mb = (bytes: unknown) => `${Math.round(Number(bytes) / 1048576)} MB`;

function formatHealth(p: unknown): string {
  const h = p as {
    status: string;
    ready: boolean;
    failing: string[];
    version: string;
    uptimeMs: number;
    memory: { rssBytes: number };
  };
  const ready = h.ready ? "ready" : `not ready (${h.failing.join("; ")})`;
  return `gateway ${h.status}, ${ready}; version ${h.version}, up ${Math.round(h.uptimeMs / 1000)} s, RSS ${mb(h.memory.rssBytes)}`;
}

function formatStatus(p: unknown): string {
  const s = p as {
    version: string;
    pid: number;
    uptimeMs: number;
    gateway: { bind?: string; hosts?: string[]; port?: number; authMode: string };
    clients: number;
    memory: { rssBytes: number };
    configPath?: string;
    logFile?: string;
  };
  const lines = [
    `version   ${s.version} (pid ${s.pid}, up ${Math.round(s.uptimeMs / 1000)} s, RSS ${mb(s.memory.rssBytes)})`,
    `listening ${s.gateway.hosts?.join(", ")} port ${s.gateway.port} (bind ${s.gateway.bind}, auth ${s.gateway.authMode})`,
    `clients   ${s.clients}`,
  ];
  if (s.configPath) lines.push(`config    ${s.configPath}`);
  if (s.logFile) lines.push(`log file  ${s.logFile}`);
  return lines.join("\n");
}

/** `health`, `status` and `gateway call`: thin clients of the WS protocol. */
export function registerRpcCommands(program: Command, gateway: Command): void {
  addClientOptions(
    program.command("health").description("ask the running gateway whether it is healthy"),
  ).action(async (flags: ClientFlags) => {
    process.exitCode = await callAndPrint("health", {}, flags, formatHealth);
  });
  addClientOptions(program.command("status").description("show what the running gateway is doing")).action(
    async (flags: ClientFlags) => {
      process.exitCode = await callAndPrint("status", {}, flags, formatStatus);
    },
  );
  const channels = program.command("channels").description("chat channels");
  registerChannelLoginCommand(channels, addClientOptions);
  addClientOptions(channels.command("status").description("state of each channel")).action(
    async (flags: ClientFlags) => {
      process.exitCode = await callAndPrint("channels.status", {}, flags, (p) => {
        const { channels } = p as {
          channels: {
            channel: string;
            state: string;
            configured?: boolean;
            enabled?: boolean;
            botName?: string;
            guildCount?: number;
            lastError?: string;
          }[];
        };
        if (channels.length === 0) return "no channels configured";
        return channels
          .map((c) => {
            const state =
              c.configured === false ? "not configured" : c.enabled === false ? "disabled" : c.state;
            return `${c.channel.padEnd(9)} ${state.padEnd(10)} ${c.botName ?? ""}${c.guildCount !== undefined ? ` (${c.guildCount} guilds)` : ""}${c.lastError ? `  ${c.lastError}` : ""}`.trimEnd();
          })
          .join("\n");
      });
    },
  );
  addClientOptions(
    gateway
      .command("call <method>")
      .description(
        "call any gateway RPC method, e.g. `openclaw gateway call logs.tail --params '{\"limit\":20}'`",
      )
      .option("--params <json>", "method params as JSON", "{}"),
  ).action(async (method: string, flags: ClientFlags & { params: string }) => {
    let params: unknown;
    try {
      params = JSON.parse(flags.params);
    } catch (err) {
      process.stderr.write(`error: --params is not valid JSON: ${(err as Error).message}\n`);
      process.exitCode = 2;
      return;
    }
    process.exitCode = await callAndPrint(method, params, { ...flags, json: true });
  });
}
