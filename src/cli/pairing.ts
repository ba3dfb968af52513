import path from "node:path";
import type { Command } from "commander";
import { BUILTIN_CHANNEL_NAMES } from "../channels/registry.js";
import { resolveStateDir } from "../config/paths.js";
import type { ClientFlags } from "./connection.js";

/**
 * What a channel name may look like offline, where it names files under credentials/
 * (a running gateway checks names against the channels it has, plugins included).
 */
const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

interface PendingRow {
  code: string;
  id: string;
  accountId: string;
  createdAt: string;
  meta?: { name?: string };
}

/**
 * `openclaw pairing list <channel>` / `approve <channel> <code>`: through the running
 * gateway when there is one, else directly on `<state>/credentials/` (same files).
 */
export function registerPairingCommands(program: Command): void {
  const pairing = program
    .command("pairing")
    .description("approve strangers who asked to talk to the assistant");
  pairing
    .command("list [channel]")
    .description("pending pairing requests")
    .option("--json")
    .action(async (channel: string | undefined, flags: ClientFlags) => {
      const rows: (PendingRow & { channel: string })[] = [];
      try {
        const channels = channel ? [checkChannel(channel)] : await knownChannels();
        for (const c of channels) {
          const { requests } = (await call("pairing.list", { channel: c }, (store) => store(c).list())) as {
            requests: PendingRow[];
          };
          rows.push(...requests.map((r) => ({ ...r, channel: c })));
        }
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0) process.stdout.write("no pending pairing requests\n");
      else {
        for (const r of rows) {
          process.stdout.write(
            `${r.channel.padEnd(9)} ${r.code}  ${r.meta?.name ?? ""} (${r.id}) since ${r.createdAt}\n`,
          );
        }
      }
    });
  pairing
    .command("approve <channel> <code>")
    .description("let the sender with this code talk to the assistant")
    .action(async (channel: string, code: string) => {
      const c = checkChannel(channel);
      try {
        const result = (await call("pairing.approve", { channel: c, code }, async (store) => {
          const approved = await store(c).approve(code);
          if (!approved)
            throw new Error(
              `no pending ${c} pairing request with code ${code.toUpperCase()} (codes expire after an hour)`,
            );
          return { senderId: approved.id };
        })) as { senderId: string };
        process.stdout.write(`approved ${c} sender ${result.senderId}\n`);
      } catch (err) {
        process.stderr.write(`error: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}

function checkChannel(channel: string): string {
  if (!CHANNEL_NAME.test(channel)) {
    process.stderr.write(
      `error: ${JSON.stringify(channel)} is not a channel name (letters, digits, _ and -, e.g. ${BUILTIN_CHANNEL_NAMES.join(", ")})\n`,
    );
    process.exit(2);
  }
  return channel;
}

/** Every channel the running gateway has (plugins included), else the built-in ones. */
async function knownChannels(): Promise<string[]> {
  const status = (await call("channels.status", {}, async () => undefined)) as
    | { channels?: { channel: string }[] }
    | undefined;
  return status?.channels?.map((c) => c.channel) ?? [...BUILTIN_CHANNEL_NAMES];
}

type StoreOf = (channel: string) => import("../routing/pairing.js").PairingStore;

/** The RPC when a gateway runs (it owns the files then), else the same operation offline. */
async function call(
  method: string,
  params: unknown,
  offline: (store: StoreOf) => Promise<unknown>,
): Promise<unknown> {
  const { callGatewayOrOffline } = await import("./connection.js");
  return callGatewayOrOffline(method, params, async () => {
    const { PairingStore } = await import("../routing/pairing.js");
    const dir = path.join(resolveStateDir(), "credentials");
    const result = await offline((channel) => new PairingStore(dir, channel));
    return method === "pairing.list" ? { requests: result } : result;
  });
}
