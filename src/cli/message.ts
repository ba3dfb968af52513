import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import { addClientOptions } from "./client-options.js";
import type { ClientFlags } from "./connection.js";

interface SendFlags extends ClientFlags {
  channel?: string;
  target: string;
  message?: string;
  account?: string;
  replyTo?: string;
  threadId?: string;
  media?: string[];
  dryRun?: boolean;
}

/** `openclaw message send`: one message out through a running channel (the gateway's `send`). */
export function registerMessageCommands(program: Command): void {
  const message = program.command("message").description("send messages through the chat channels");
  addClientOptions(
    message
      .command("send")
      .description("send a text message, e.g. `openclaw message send --channel telegram --target 123 -m hi`"),
  )
    .option("--channel <channel>", "channel to send through (default: the only running one)")
    .requiredOption(
      "-t, --target <dest>",
      "recipient: a chat id, user:<id> / channel:<id> / group:<id>, or an E.164 number",
    )
    .option("-m, --message <text>", "message body")
    .option("--account <id>", "channel account id")
    .option("--reply-to <id>", "message id to reply to")
    .option("--thread-id <id>", "thread (Telegram forum topic)")
    .option("--media <path-or-url>", "attachments: not supported yet (refused)", (v, all: string[] = []) => [
      ...all,
      v,
    ])
    .option("--dry-run", "print the request and send nothing")
    .option("--json", "print the result as JSON")
    .action(async (flags: SendFlags) => {
      if (flags.media?.length) {
        process.stderr.write("error: --media is not supported yet: this gateway sends text only\n");
        process.exitCode = 2;
        return;
      }
      if (!flags.message?.trim()) {
        process.stderr.write("error: --message is required (the text to send)\n");
        process.exitCode = 2;
        return;
      }
      const params = {
        to: flags.target,
        message: flags.message,
        ...(flags.channel ? { channel: flags.channel } : {}),
        ...(flags.account ? { accountId: flags.account } : {}),
        ...(flags.replyTo ? { replyToId: flags.replyTo } : {}),
        ...(flags.threadId ? { threadId: flags.threadId } : {}),
        idempotencyKey: randomUUID(),
      };
      if (flags.dryRun) {
        process.stdout.write(`${JSON.stringify({ dryRun: true, method: "send", params }, null, 2)}\n`);
        return;
      }
      const { callAndPrint } = await import("./connection.js");
      process.exitCode = await callAndPrint("send", params, flags, (p) => {
        const r = p as { channel: string; to: string; messageId?: string };
        return `sent to ${r.to} on ${r.channel}${r.messageId ? ` (message ${r.messageId})` : ""}`;
      });
    });
}
