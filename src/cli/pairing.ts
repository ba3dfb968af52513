import path from "node:path";
import type { Command } from "commander";
import { resolveStateDir } from "../config/paths.js";
import type { ClientFlags } from "./connection.js";

const CHANNELS = ["discord", "telegram", "whatsapp", "signal"];

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
      const channels = channel ? [checkChannel(channel)] : CHANNELS;
      const rows: (PendingRow & { channel: string })[] = [];
      for (const c of channels) {
        const { requests } = (await call("pairing.list", { channel: c }, (store) => store(c).list())) as {
          requests: PendingRow[];
        };
        rows.push(...requests.map((r) => ({ ...r, channel: c })));
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
  if (!CHANNELS.includes(channel)) {
    process.stderr.write(
      `error: unknown channel ${JSON.stringify(channel)} (one of ${CHANNELS.join(", ")})\n`,
    );
    process.exit(2);
  }
  return channel;
}

type StoreOf = (channel: string) => import("../routing/pairing.js").PairingStore;

/** The RPC when a gateway runs (it owns the files then), else the same operation offline. */
async function call(
  method: string,
  params: unknown,
  offline: (store: StoreOf) => Promise<unknown>,
): Promise<unknown> {
  const { connectFromCli } = await import("./connection.js");
  const { GatewayTransportError } = await import("../gateway/client.js");
  let client: Awaited<ReturnType<typeof connectFromCli>>["client"] | undefined;
  try {
    ({ client } = await connectFromCli({ timeout: "3000" }));
  } catch (err) {
    if (!(err instanceof GatewayTransportError)) throw err;
  }
  if (client) {
    try {
      return await client.request(method, params);
    } finally {
      await client.close();
    }
  }
  const { PairingStore } = await import("../routing/pairing.js");
  const dir = path.join(resolveStateDir(), "credentials");
  const result = await offline((channel) => new PairingStore(dir, channel));
  return method === "pairing.list" ? { requests: result } : result;
}
