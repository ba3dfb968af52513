import { z } from "zod";
import type { ChannelLogin, ChannelLoginUpdate } from "../../channels/types.js";
import { MAX_PENDING_PER_ACCOUNT, PAIRING_TTL_MS } from "../../routing/pairing.js";
import type { GatewayContext } from "../context.js";
import { ErrorCodes, GatewayRequestError } from "../protocol.js";
import { channelSummary } from "./channel-summary.js";
import { defineMethod } from "./types.js";

/** A channel name; which ones exist is asked of the running channel manager (plugins add some). */
const channel = z.string().min(1).max(64);

/** The channel, if this gateway knows it (built-in or from a plugin); else a one-sentence error. */
function knownChannel(gateway: GatewayContext, name: string): string {
  const known = gateway.channels.channelNames();
  if (!known.includes(name)) {
    throw new GatewayRequestError(
      ErrorCodes.INVALID_REQUEST,
      `unknown channel ${JSON.stringify(name)}: this gateway has ${known.join(", ")}`,
    );
  }
  return name;
}

function loginOf(gateway: GatewayContext, name: string): ChannelLogin {
  knownChannel(gateway, name);
  const adapter = gateway.channels.adapter(name);
  if (!adapter) {
    throw new GatewayRequestError(
      ErrorCodes.INVALID_REQUEST,
      `${name} is not configured: add a channels.${name} section first (openclaw config set channels.${name}.enabled true)`,
    );
  }
  if (!adapter.login) {
    throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, `${name} has no QR login`);
  }
  return adapter.login;
}

/**
 * A QR login update as `web.login.*` answer it: with the code as an image too (OpenClaw's
 * `qrDataUrl`), drawn by a module loaded only once a login shows a code.
 */
async function answerWithQrImage(update: ChannelLoginUpdate) {
  return update.qr ? (await import("./login-qr.js")).withQrImage(update) : update;
}

/** OpenClaw's id for a pending DM pairing request: the channel and its code. */
const requestId = (channel: string, code: string) => `${channel}:${code}`;

/** The channel and code of a `requestId` (`channel:code`); `named`, when the client sends it too, must agree. */
function parseRequestId(gateway: GatewayContext, id: string, named?: string) {
  const at = id.lastIndexOf(":");
  const channel = knownChannel(gateway, id.slice(0, Math.max(at, 0)));
  if (named !== undefined && named !== channel) {
    throw new GatewayRequestError(
      ErrorCodes.INVALID_REQUEST,
      `pairing request ${id} belongs to ${channel}, not ${named}: send the requestId channels.pairing.list gave`,
    );
  }
  return { channel, code: id.slice(at + 1) };
}

const startStopParams = z.object({ channel, accountId: z.string().max(64).optional() });

/** Our channels run one account each (`default`); another account id names nothing here. */
function defaultAccount(accountId: string | undefined): "default" {
  if (accountId !== undefined && accountId !== "default") {
    throw new GatewayRequestError(
      ErrorCodes.INVALID_REQUEST,
      `unknown account ${JSON.stringify(accountId)}: each channel of this gateway runs one account, "default"`,
    );
  }
  return "default";
}

/** Channel state, logout, and DM pairing approvals (ours per channel, OpenClaw's across channels). */
export const channelMethods = {
  "channels.status": defineMethod({
    scope: "operator.read",
    params: z.object({ probe: z.boolean().optional() }).optional(),
    // OpenClaw's keys (its UI and CLI read channelOrder/channelAccounts), but `channels` stays
    // our list of every known channel, configured or not: our UI and CLI read that.
    handle: (_p, { gateway }) => ({ ...channelSummary(gateway), channels: gateway.channels.status() }),
  }),
  "channels.logout": defineMethod({
    scope: "operator.admin",
    params: z.object({ channel, accountId: z.string().optional() }),
    handle: async (p, { gateway }) => ({
      ok: true,
      loggedOut: await gateway.channels.logout(knownChannel(gateway, p.channel)),
    }),
  }),
  // QR login for channels linked as a device (WhatsApp), as OpenClaw names it: start shows
  // the first QR (or the outcome), wait reports the next change after the QR already shown.
  // OpenClaw's runtime start/stop: a stopped channel stays stopped across config edits until started.
  "channels.start": defineMethod({
    scope: "operator.admin",
    params: startStopParams,
    handle: async (p, { gateway }) => {
      const name = knownChannel(gateway, p.channel);
      const accountId = defaultAccount(p.accountId);
      let outcome: string;
      try {
        ({ outcome } = await gateway.channels.start(name));
      } catch (err) {
        throw new GatewayRequestError(ErrorCodes.INVALID_REQUEST, (err as Error).message);
      }
      const report = gateway.channels.status().find((c) => c.channel === name);
      return {
        channel: name,
        accountId,
        started: outcome !== "failed",
        outcome,
        ...(report?.lastError ? { statusIssues: [report.lastError] } : {}),
      };
    },
  }),
  "channels.stop": defineMethod({
    scope: "operator.admin",
    params: startStopParams,
    handle: async (p, { gateway }) => {
      const name = knownChannel(gateway, p.channel);
      const accountId = defaultAccount(p.accountId);
      const wasRunning = await gateway.channels.stop(name);
      return { channel: name, accountId, stopped: true, wasRunning };
    },
  }),
  "web.login.start": defineMethod({
    scope: "operator.admin",
    params: z
      .object({
        channel: channel.optional(),
        force: z.boolean().optional(),
        timeoutMs: z.number().int().min(1000).max(300_000).optional(),
        accountId: z.string().optional(),
      })
      .optional(),
    handle: async (p, { gateway }) =>
      answerWithQrImage(
        await loginOf(gateway, p?.channel ?? "whatsapp").start({ force: p?.force, timeoutMs: p?.timeoutMs }),
      ),
  }),
  "web.login.wait": defineMethod({
    scope: "operator.admin",
    params: z
      .object({
        channel: channel.optional(),
        after: z.string().optional(),
        // OpenClaw's clients name the code they show by its image (`qrDataUrl`, ~22 KB), not its text.
        currentQrDataUrl: z.string().max(100_000).optional(),
        timeoutMs: z.number().int().min(1000).max(300_000).optional(),
        accountId: z.string().optional(),
      })
      .optional(),
    handle: async (p, { gateway }) => {
      const login = loginOf(gateway, p?.channel ?? "whatsapp");
      const after =
        p?.after ?? (p?.currentQrDataUrl && (await import("./login-qr.js")).qrTextOf(p.currentQrDataUrl));
      return answerWithQrImage(await login.wait({ after: after || undefined, timeoutMs: p?.timeoutMs }));
    },
  }),
  "pairing.list": defineMethod({
    scope: "operator.pairing",
    params: z.object({ channel }),
    handle: async (p, { gateway }) => ({
      channel: p.channel,
      requests: await gateway.channels.pairing(knownChannel(gateway, p.channel)).list(),
    }),
  }),
  "pairing.approve": defineMethod({
    scope: "operator.pairing",
    params: z.object({ channel, code: z.string().min(4).max(16) }),
    handle: async (p, { gateway }) => {
      const approved = await gateway.channels.pairing(knownChannel(gateway, p.channel)).approve(p.code);
      if (!approved) {
        throw new GatewayRequestError(
          ErrorCodes.INVALID_REQUEST,
          `no pending ${p.channel} pairing request with code ${p.code.toUpperCase()} (codes expire after an hour)`,
        );
      }
      return { ok: true, channel: p.channel, senderId: approved.id, accountId: approved.accountId };
    },
  }),
  // OpenClaw's names for the same approvals (its Control UI's channels page lists them all at once).
  "channels.pairing.list": defineMethod({
    scope: "operator.pairing",
    params: z.object({}).passthrough().optional(),
    handle: async (_p, { gateway }) => {
      const perChannel = await Promise.all(
        gateway.channels.channelNames().map(async (channel) =>
          (await gateway.channels.pairing(channel).list()).map((r) => {
            const createdAt = Date.parse(r.createdAt);
            return {
              requestId: requestId(channel, r.code),
              kind: "dm",
              channel,
              accountId: r.accountId,
              senderId: r.id,
              code: r.code,
              createdAt,
              expiresAt: createdAt + PAIRING_TTL_MS,
            };
          }),
        ),
      );
      return {
        // OpenClaw lists its channel accounts' pairing settings here; ours are per channel config.
        accounts: [],
        requests: perChannel.flat(),
        commandOwnerConfigured: false,
        // The pending-request cap and expiry its channels page shows.
        limits: { pendingPerAccount: MAX_PENDING_PER_ACCOUNT, ttlMs: PAIRING_TTL_MS },
      };
    },
  }),
  "channels.pairing.approve": defineMethod({
    scope: "operator.pairing",
    params: z.object({ requestId: z.string().min(3).max(96) }).passthrough(),
    handle: async (p, { gateway }) => {
      const { channel, code } = parseRequestId(gateway, p.requestId);
      const approved = await gateway.channels.pairing(channel).approve(code);
      if (!approved) {
        throw new GatewayRequestError(
          ErrorCodes.INVALID_REQUEST,
          `no pending pairing request ${p.requestId} (codes expire after an hour); list them with channels.pairing.list`,
        );
      }
      return {
        ok: true,
        requestId: p.requestId,
        channel,
        senderId: approved.id,
        accountId: approved.accountId,
      };
    },
  }),
  "channels.pairing.dismiss": defineMethod({
    scope: "operator.pairing",
    params: z
      .object({
        requestId: z.string().min(3).max(96),
        channel: channel.optional(),
        accountId: z.string().max(64).optional(),
      })
      .passthrough(),
    handle: async (p, { gateway }) => {
      const { channel: name, code } = parseRequestId(gateway, p.requestId, p.channel);
      const dismissed = await gateway.channels.pairing(name).dismiss(code);
      if (!dismissed) {
        // OpenClaw's wording: its UI shows it as is.
        throw new GatewayRequestError(
          ErrorCodes.INVALID_REQUEST,
          "pending DM access request no longer exists",
        );
      }
      return { requestId: p.requestId, senderId: dismissed.id };
    },
  }),
};
