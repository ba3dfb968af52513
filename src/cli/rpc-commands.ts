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

export function formatHealth(p: unknown): string {
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
  const plugins = program.command("plugins").description("gateway plugins");
  addClientOptions(plugins.command("list").description("each plugin's state and what it added")).action(
    async (flags: ClientFlags) => {
      process.exitCode = await callAndPrint("plugins.list", {}, flags, formatPlugins);
    },
  );
  registerVoiceCallCommands(program);
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

function formatPlugins(p: unknown): string {
  const { plugins } = p as {
    plugins: {
      id: string;
      state: string;
      reason?: string;
      origin: string;
      methods: string[];
      routes: string[];
    }[];
  };
  if (plugins.length === 0) return "no plugins enabled (see plugins.entries and plugins.load.paths)";
  return plugins
    .map((x) => {
      const adds = [...x.methods, ...x.routes].join(", ");
      return `${x.id.padEnd(16)} ${x.state.padEnd(9)} ${x.origin.padEnd(8)} ${x.reason ?? adds}`.trimEnd();
    })
    .join("\n");
}

/** `openclaw voicecall call|continue|speak|end|status`, as OpenClaw names them (the voice-call plugin's RPCs). */
function registerVoiceCallCommands(program: Command): void {
  const voicecall = program.command("voicecall").description("phone calls through the voice-call plugin");
  const run = (method: string, params: (o: Record<string, string>) => unknown) => async (o: ClientFlags) => {
    process.exitCode = await callAndPrint(method, params(o as unknown as Record<string, string>), {
      ...o,
      json: true,
    });
  };
  addClientOptions(
    voicecall
      .command("call")
      .description("call a number and say a message")
      .option("--to <e164>", "number to call (default: config toNumber)")
      .requiredOption("--message <text>", "what to say")
      .option("--mode <mode>", "notify (say it and hang up) or conversation"),
  ).action(run("voicecall.initiate", (o) => ({ to: o.to, message: o.message, mode: o.mode })));
  for (const [name, method, description] of [
    ["continue", "voicecall.continue", "say something on a live call and listen"],
    ["speak", "voicecall.speak", "say something on a live call"],
  ] as const) {
    addClientOptions(
      voicecall
        .command(name)
        .description(description)
        .requiredOption("--call-id <id>", "the call")
        .requiredOption("--message <text>", "what to say"),
    ).action(run(method, (o) => ({ callId: o.callId, message: o.message })));
  }
  addClientOptions(
    voicecall.command("end").description("hang up").requiredOption("--call-id <id>", "the call"),
  ).action(run("voicecall.end", (o) => ({ callId: o.callId })));
  addClientOptions(
    voicecall.command("status").description("calls and what was said").option("--call-id <id>", "one call"),
  ).action(run("voicecall.status", (o) => (o.callId ? { callId: o.callId } : {})));
}
