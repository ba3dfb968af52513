import type { ChannelReport } from "../../channels/manager.js";
import type { GatewayContext } from "../context.js";

/**
 * Channel state in OpenClaw's `channels.status` / `health` shape: the configured
 * channels in order with their labels, a summary per channel, and its accounts (we run
 * one account per channel, `default`). Channels nobody configured are left out, as
 * OpenClaw leaves them out: its UI offers to add them instead.
 */

/** Display names OpenClaw's UI shows; a plugin channel without one shows its id. */
const CHANNEL_LABELS: Record<string, string> = {
  telegram: "Telegram",
  discord: "Discord",
  whatsapp: "WhatsApp",
  signal: "Signal",
  slack: "Slack",
  voicecall: "Voice call",
};

function account(report: ChannelReport) {
  return {
    accountId: report.accountId,
    enabled: report.enabled,
    configured: report.configured,
    running: report.state === "ready" || report.state === "connecting",
    connected: report.connected,
    state: report.state,
    ...(report.botName ? { name: report.botName } : {}),
    ...(report.lastError ? { lastError: report.lastError } : {}),
  };
}

export function channelSummary(gateway: GatewayContext) {
  const reports = gateway.channels.status().filter((r) => r.configured);
  const channelOrder = reports.map((r) => r.channel);
  const byChannel = <T>(f: (r: ChannelReport) => T) =>
    Object.fromEntries(reports.map((r) => [r.channel, f(r)])) as Record<string, T>;
  return {
    ts: Date.now(),
    channelOrder,
    channelLabels: byChannel((r) => CHANNEL_LABELS[r.channel] ?? r.channel),
    channels: byChannel((r) => {
      const { accountId: _, ...summary } = account(r);
      return summary;
    }),
    channelAccounts: byChannel((r) => [account(r)]),
    channelDefaultAccountId: byChannel((r) => r.accountId),
  };
}
