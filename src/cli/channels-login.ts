import type { Command } from "commander";
import type { ClientFlags } from "./connection.js";

interface LoginUpdate {
  connected: boolean;
  qr?: string;
  message: string;
}

/** Renders a QR code with half-block characters (two rows per line) for a terminal. */
export async function renderQr(text: string): Promise<string> {
  const { default: qrcode } = await import("qrcode-terminal");
  return new Promise((resolve) => qrcode.generate(text, { small: true }, resolve));
}

/**
 * `openclaw channels login --channel whatsapp`: asks the running gateway to start a QR
 * login (`web.login.start`), prints each QR code as it rotates (`web.login.wait`) and
 * ends once the phone linked the gateway, or with the reason it could not.
 */
export async function runChannelLogin(
  flags: ClientFlags & { channel: string; force?: boolean },
): Promise<number> {
  const { connectFromCli } = await import("./connection.js");
  const { GatewayResponseError, GatewayTransportError } = await import("../gateway/client.js");
  try {
    const { client } = await connectFromCli(flags);
    try {
      const channel = flags.channel;
      let update = (await client.request(
        "web.login.start",
        { channel, force: flags.force === true, timeoutMs: 60_000 },
        70_000,
      )) as LoginUpdate;
      let shown: string | undefined;
      for (;;) {
        if (update.connected) {
          process.stdout.write(`${channel}: ${update.message}\n`);
          return 0;
        }
        if (!update.qr) {
          process.stderr.write(`error: ${update.message}\n`);
          return 1;
        }
        if (update.qr !== shown) {
          shown = update.qr;
          process.stdout.write(`\n${await renderQr(update.qr)}\n${update.message}\n`);
        }
        update = (await client.request(
          "web.login.wait",
          { channel, after: shown, timeoutMs: 60_000 },
          70_000,
        )) as LoginUpdate;
      }
    } finally {
      await client.close();
    }
  } catch (err) {
    if (err instanceof GatewayResponseError || err instanceof GatewayTransportError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

export function registerChannelLoginCommand(
  channels: Command,
  withClientOptions: (cmd: Command) => Command,
): void {
  withClientOptions(
    channels
      .command("login")
      .description("link a channel that signs in by QR code (WhatsApp); needs the gateway running")
      .option("--channel <name>", "the channel to link", "whatsapp")
      .option("--force", "drop the current link and link again"),
  ).action(async (flags: ClientFlags & { channel: string; force?: boolean }) => {
    process.exitCode = await runChannelLogin(flags);
  });
}
