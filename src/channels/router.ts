import { QueueFullError } from "../agents/queue.js";
import type { AgentRuntime } from "../agents/runtime.js";
import type { Logger } from "../infra/logger.js";
import { resolveAgentRoute } from "../routing/bindings.js";
import type { PairingStore } from "../routing/pairing.js";
import { type ChannelPolicyConfig, evaluatePolicy, normalizeSenderId } from "../routing/policy.js";
import type { DmScope } from "../routing/session-key.js";
import { type AudioConfigView, prepareInboundAudio } from "./audio.js";
import type { ChannelAdapter, InboundMessage } from "./types.js";

/** Chat apps drop "typing…" after ~10 s: refresh it while the agent works. */
const TYPING_REFRESH_MS = 8_000;
/** Inbound images larger than this are mentioned, not sent to the model. */
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

export interface RouterConfig extends AudioConfigView {
  bindings?: unknown[];
  agents?: { list?: { id: string; default?: boolean; groupChat?: { mentionPatterns?: string[] } }[] };
  session?: { dmScope?: DmScope; identityLinks?: Record<string, string[]> };
  messages?: { groupChat?: { mentionPatterns?: string[] } };
}

export interface ChannelRouterDeps {
  runtime: AgentRuntime;
  config: () => RouterConfig;
  channelConfig: (channel: string) => ChannelPolicyConfig;
  pairing: (channel: string) => PairingStore;
  log: Logger;
}

/**
 * The one path from a chat app to an agent and back: policy (allowlist, pairing,
 * mentions) → bindings (which agent, which session) → the agent runtime, with
 * typing shown while it works. The runtime sends the reply (or a short error) to the same
 * chat through the outbound port, before it marks the message done in its journal.
 */
export function createChannelRouter(deps: ChannelRouterDeps) {
  const { log } = deps;

  return async function handleInbound(adapter: ChannelAdapter, msg: InboundMessage): Promise<void> {
    const { route, pairing, decision } = await admitInbound(deps, msg);
    if (decision.action === "ignore") {
      log.debug(`ignored ${msg.channel} message ${msg.messageId}: ${decision.reason}`);
      return;
    }
    if (decision.action === "pair") {
      await requestPairing(adapter, pairing, msg, log);
      return;
    }
    const prepared = await withAudioTranscribed(deps, adapter, msg);
    if (!prepared) return;
    const run = await submitToAgent(deps, prepared, route.sessionKey);
    if (!run) return;
    await showTypingUntilDone(adapter, prepared, run);
  };
}

/**
 * The message with its voice note as a transcript (channels/audio.ts); undefined when the
 * sender was told why it could not be transcribed and there is nothing else to answer.
 */
async function withAudioTranscribed(
  deps: ChannelRouterDeps,
  adapter: ChannelAdapter,
  msg: InboundMessage,
): Promise<InboundMessage | undefined> {
  if (!msg.attachments.some((a) => a.voice || /^audio\//i.test(a.contentType ?? ""))) return msg;
  void adapter.sendTyping(msg.peer, msg.threadId).catch(() => undefined);
  const outcome = await prepareInboundAudio(msg, {
    config: deps.config(),
    keyOf: (provider) => {
      try {
        return deps.runtime.registry().credentials(provider)[0]?.key;
      } catch {
        return undefined; // a provider the registry does not know has no key
      }
    },
    log: deps.log,
  });
  if (outcome.kind === "none") return msg;
  const rest = msg.attachments.filter((a) => a !== outcome.attachment);
  if (outcome.kind === "transcribed") return { ...msg, text: outcome.text, attachments: rest };
  await adapter
    .send({
      target: msg.peer,
      text: outcome.reply,
      replyToMessageId: msg.messageId,
      ...(msg.threadId ? { threadId: msg.threadId } : {}),
    })
    .catch((err: Error) => deps.log.error(`could not send the audio notice: ${err.message}`));
  return outcome.text === undefined ? undefined : { ...msg, text: outcome.text, attachments: rest };
}

/** Which agent and session the message belongs to, and whether policy lets it through. */
async function admitInbound(deps: ChannelRouterDeps, msg: InboundMessage) {
  const config = deps.config();
  const route = resolveAgentRoute({
    bindings: config.bindings as never,
    agents: config.agents?.list,
    channel: msg.channel,
    accountId: msg.accountId,
    peer: msg.peer,
    parentPeer: msg.parentPeer,
    guildId: msg.guildId,
    dmScope: config.session?.dmScope,
    threadId: msg.threadId,
    identityLinks: config.session?.identityLinks,
  });
  const agentEntry = config.agents?.list?.find((a) => a.id.toLowerCase() === route.agentId);
  const pairing = deps.pairing(msg.channel);
  const decision = evaluatePolicy(deps.channelConfig(msg.channel), {
    channel: msg.channel,
    chatType: msg.chatType,
    senderId: msg.sender.id,
    senderIsBot: msg.sender.isBot,
    groupId: msg.guildId ?? (msg.chatType === "group" ? msg.peer.id : undefined),
    channelId: msg.parentPeer?.id ?? (msg.chatType === "channel" ? msg.peer.id : undefined),
    channelName: msg.chatName,
    text: msg.text,
    mentionsBot: msg.mentionsBot,
    mentionPatterns: agentEntry?.groupChat?.mentionPatterns ?? config.messages?.groupChat?.mentionPatterns,
    pairedSenders: msg.chatType === "direct" ? await pairing.approved(msg.accountId) : undefined,
  });
  return { route, pairing, decision };
}

type AgentRun = ReturnType<AgentRuntime["send"]>;

/** Hands the message to the agent runtime; undefined when the session's queue refused it. */
async function submitToAgent(
  deps: ChannelRouterDeps,
  msg: InboundMessage,
  sessionKey: string,
): Promise<AgentRun | undefined> {
  const request = {
    sessionKey,
    text: await describeInbound(msg),
    images: await fetchImages(msg, deps.log),
    origin: {
      channel: msg.channel,
      lastChannel: msg.channel,
      lastTo: `${msg.peer.kind}:${msg.peer.id}`,
      displayName: msg.sender.name,
    },
    // Journaled with the message: a reply after a crash lands in the same thread, as a reply.
    replyTo: {
      channel: msg.channel,
      accountId: msg.accountId,
      to: `${msg.peer.kind}:${msg.peer.id}`,
      replyToId: msg.messageId,
      ...(msg.threadId ? { threadId: msg.threadId } : {}),
    },
  };
  try {
    return deps.runtime.send(request);
  } catch (err) {
    // A session flooded past its queue cap: this message was not accepted (nor journaled).
    if (!(err instanceof QueueFullError)) throw err;
    deps.log.warn(`dropped ${msg.channel} message ${msg.messageId}: ${err.message}`);
    return undefined;
  }
}

/** Shows "typing…" in the chat until the run (and its reply) is done. */
async function showTypingUntilDone(
  adapter: ChannelAdapter,
  msg: InboundMessage,
  run: AgentRun,
): Promise<void> {
  const typing = startTyping(adapter, msg);
  try {
    await run.done;
  } finally {
    typing.stop();
  }
}

async function requestPairing(
  adapter: ChannelAdapter,
  pairing: PairingStore,
  msg: InboundMessage,
  log: Logger,
): Promise<void> {
  const result = await pairing.request(msg.accountId, msg.sender.id, { name: msg.sender.name });
  if (result.status !== "created") {
    log.debug(
      `pairing ${result.status} for ${msg.channel} sender ${normalizeSenderId(msg.sender.id, msg.channel)}`,
    );
    return;
  }
  log.info(
    `pairing requested by ${msg.channel} user ${msg.sender.name} (${msg.sender.id}): code ${result.code}`,
  );
  const text = [
    "Hi! This assistant only talks to people its owner has approved.",
    `Your pairing code: ${result.code}`,
    `Ask the owner to run: openclaw pairing approve ${msg.channel} ${result.code}`,
  ].join("\n");
  await adapter
    .send({ target: msg.peer, text, ...(msg.threadId ? { threadId: msg.threadId } : {}) })
    .catch((err: Error) => log.error(`could not send the pairing code: ${err.message}`));
}

function startTyping(adapter: ChannelAdapter, msg: InboundMessage): { stop(): void } {
  const tick = () => void adapter.sendTyping(msg.peer, msg.threadId).catch(() => undefined);
  tick();
  const timer = setInterval(tick, TYPING_REFRESH_MS);
  return { stop: () => clearInterval(timer) };
}

/** The text the agent sees: the message, plus the names of files it cannot see directly. */
async function describeInbound(msg: InboundMessage): Promise<string> {
  const files = msg.attachments.filter((a) => !isFetchableImage(a));
  if (files.length === 0) return msg.text;
  const list = files
    .map((f) => `- ${f.name} (${f.contentType ?? "file"}, ${f.size} bytes): ${f.url}`)
    .join("\n");
  return `${msg.text}\n\n[attached files]\n${list}`;
}

async function fetchImages(msg: InboundMessage, log: Logger) {
  const images: { data: string; mimeType: string }[] = [];
  for (const a of msg.attachments) {
    if (!isFetchableImage(a)) continue;
    try {
      const res = await fetch(a.url, { signal: AbortSignal.timeout(15_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const data = Buffer.from(await res.arrayBuffer());
      if (data.length <= MAX_IMAGE_BYTES)
        images.push({ data: data.toString("base64"), mimeType: a.contentType! });
    } catch (err) {
      log.warn(`could not download attachment ${a.name}: ${(err as Error).message}`);
    }
  }
  return images;
}

const isImage = (type: string | undefined) => /^image\/(png|jpeg|gif|webp)$/.test(type ?? "");

/**
 * An image the model can be shown: small enough and behind an http(s) URL. Others (say
 * a file path signal-cli stored a picture at) are listed in the text instead.
 */
const isFetchableImage = (a: InboundMessage["attachments"][number]) =>
  isImage(a.contentType) && a.size <= MAX_IMAGE_BYTES && /^https?:\/\//.test(a.url);
