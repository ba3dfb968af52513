import type { Command } from "commander";
import { addClientOptions } from "./client-options.js";
import type { ClientFlags } from "./connection.js";

/** Loaded on use, so `openclaw --help` stays instant. */
const actions = () => import("./config-actions.js");

/** Where `channels add --token` goes in each channel's section (OpenClaw's flag, our key). */
const TOKEN_KEYS: Record<string, string> = { telegram: "botToken", discord: "token" };

/** The account every channel has; named ones live under `channels.<name>.accounts.<id>`. */
const DEFAULT_ACCOUNT = "default";

type Section = Record<string, unknown> & { accounts?: Record<string, Record<string, unknown>> };

interface AddFlags {
  channel?: string;
  account?: string;
  name?: string;
  token?: string;
  signalNumber?: string;
  httpUrl?: string;
  json?: boolean;
}

function sectionsOf(doc: Record<string, unknown>): Record<string, Section> {
  return (doc.channels as Record<string, Section> | undefined) ?? {};
}

/** The built-in channel names, loaded on use (the registry pulls in the config schema). */
const channelNames = async () => (await import("../channels/registry.js")).BUILTIN_CHANNEL_NAMES;

async function channelArg(positional: string | undefined, flag: string | undefined): Promise<string> {
  const BUILTIN_CHANNEL_NAMES = await channelNames();
  const name = flag ?? positional;
  if (!name) throw new Error("name the channel: --channel <name>");
  if (!BUILTIN_CHANNEL_NAMES.includes(name)) {
    throw new Error(`unknown channel ${JSON.stringify(name)}: use ${BUILTIN_CHANNEL_NAMES.join(", ")}`);
  }
  return name;
}

/** The document with `fields` merged into the channel (or one of its accounts). */
function withAccount(
  doc: Record<string, unknown>,
  channel: string,
  account: string,
  change: (current: Record<string, unknown> | undefined) => Record<string, unknown> | undefined,
): Record<string, unknown> {
  const sections = sectionsOf(doc);
  const section: Section = { ...(sections[channel] ?? {}) };
  if (account === DEFAULT_ACCOUNT) {
    const next = change(section);
    const channels = { ...sections };
    if (next) channels[channel] = next;
    else delete channels[channel];
    return { ...doc, channels };
  }
  const accounts = { ...(section.accounts ?? {}) };
  const next = change(accounts[account]);
  if (next) accounts[account] = next;
  else delete accounts[account];
  return { ...doc, channels: { ...sections, [channel]: { ...section, accounts } } };
}

function fail(err: unknown): void {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exitCode = 2;
}

/** `openclaw channels list|add|remove|logout` next to `status` and `login`. */
export function registerChannelsCommands(program: Command): void {
  const channels =
    program.commands.find((c) => c.name() === "channels") ??
    program.command("channels").description("chat channels");
  channels
    .command("list")
    .description("configured channels and their accounts")
    .option("--all", "also the channels this gateway has that are not configured")
    .option("--json", "print JSON")
    .action(async (flags: { all?: boolean; json?: boolean }) => {
      const sections = sectionsOf(await (await actions()).readConfigDocument());
      const rows = (await channelNames())
        .filter((name) => flags.all || sections[name])
        .map((name) => {
          const section = sections[name];
          return {
            channel: name,
            configured: section !== undefined,
            enabled: section !== undefined && section.enabled !== false,
            accounts: section ? [DEFAULT_ACCOUNT, ...Object.keys(section.accounts ?? {})] : [],
          };
        });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ channels: rows }, null, 2)}\n`);
        return;
      }
      if (rows.length === 0)
        process.stdout.write("no channels configured (openclaw channels add --channel <name>)\n");
      for (const r of rows) {
        const state = !r.configured ? "not configured" : r.enabled ? "enabled" : "disabled";
        process.stdout.write(
          `${r.channel.padEnd(9)} ${state.padEnd(14)} ${r.accounts.join(", ")}`.trimEnd() + "\n",
        );
      }
    });
  channels
    .command("add [channel]")
    .description(
      "configure and enable a channel (account), e.g. `openclaw channels add --channel telegram --token …`",
    )
    .option("--channel <name>", "channel (`openclaw channels list --all` names them)")
    .option("--account <id>", "account id (default: the channel's own section)")
    .option("--name <name>", "display name for this account")
    .option("--token <token>", "bot token (telegram, discord); prefer the env variable for secrets")
    .option("--signal-number <e164>", "signal: the account's phone number")
    .option("--http-url <url>", "signal: signal-cli daemon URL")
    .option("--json", "print JSON")
    .action(async (positional: string | undefined, flags: AddFlags) => {
      let channel: string;
      try {
        channel = await channelArg(positional, flags.channel);
        if (flags.token && !TOKEN_KEYS[channel]) throw new Error(`--token does not apply to ${channel}`);
        if ((flags.signalNumber || flags.httpUrl) && channel !== "signal") {
          throw new Error("--signal-number and --http-url apply to signal only");
        }
      } catch (err) {
        return fail(err);
      }
      const account = flags.account ?? DEFAULT_ACCOUNT;
      const fields = {
        enabled: true,
        ...(flags.name ? { name: flags.name } : {}),
        ...(flags.token ? { [TOKEN_KEYS[channel]!]: flags.token } : {}),
        ...(flags.signalNumber ? { account: flags.signalNumber } : {}),
        ...(flags.httpUrl ? { httpUrl: flags.httpUrl } : {}),
      };
      const { editConfig } = await actions();
      process.exitCode = await editConfig(
        (doc) => withAccount(doc, channel, account, (current) => ({ ...(current ?? {}), ...fields })),
        `channel ${channel} (account ${account}) enabled`,
        flags,
      );
      if (flags.json && process.exitCode === 0)
        process.stdout.write(`${JSON.stringify({ ok: true, channel, account })}\n`);
    });
  channels
    .command("remove")
    .description("disable a channel (account); with --delete remove its config")
    .option("--channel <name>", "channel")
    .option("--account <id>", "account id (default: the channel's own section)")
    .option("--delete", "delete the config entries instead of disabling")
    .option("--json", "print JSON")
    .action(async (flags: { channel?: string; account?: string; delete?: boolean; json?: boolean }) => {
      let channel: string;
      try {
        channel = await channelArg(undefined, flags.channel);
      } catch (err) {
        return fail(err);
      }
      const account = flags.account ?? DEFAULT_ACCOUNT;
      const { editConfig, EditRefused } = await actions();
      process.exitCode = await editConfig(
        (doc) =>
          withAccount(doc, channel, account, (current) => {
            if (!current) throw new EditRefused(`${channel} account ${account} is not configured`);
            return flags.delete ? undefined : { ...current, enabled: false };
          }),
        `channel ${channel} (account ${account}) ${flags.delete ? "deleted" : "disabled"}`,
        flags,
      );
      if (flags.json && process.exitCode === 0) {
        process.stdout.write(
          `${JSON.stringify({ ok: true, channel, account, deleted: flags.delete === true })}\n`,
        );
      }
    });
  addClientOptions(
    channels
      .command("logout")
      .description(
        "disconnect a channel session until the next restart or config change (the gateway's channels.logout)",
      )
      .requiredOption("--channel <name>", "channel")
      .option("--account <id>", "account id")
      .option("--json", "print raw JSON"),
  ).action(async (flags: ClientFlags & { channel: string; account?: string }) => {
    const { callAndPrint } = await import("./connection.js");
    process.exitCode = await callAndPrint(
      "channels.logout",
      { channel: flags.channel, ...(flags.account ? { accountId: flags.account } : {}) },
      flags,
      (p) =>
        (p as { loggedOut: boolean }).loggedOut
          ? `${flags.channel} logged out`
          : `${flags.channel} was not running`,
    );
  });
}
