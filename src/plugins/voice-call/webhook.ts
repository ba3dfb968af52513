import path from "node:path";
import type { Logger } from "../../infra/logger.js";
import type { VoiceCallConfig } from "./config.js";
import type {
  CallAction,
  CallEvent,
  VoiceProvider,
  WebhookRequest,
  WebhookResponse,
} from "./providers/types.js";
import { ReplayStore } from "./replay-store.js";

export interface WebhookGateOptions {
  provider: VoiceProvider;
  config: VoiceCallConfig;
  /** The configured or tunnel webhook URL (undefined: not known yet). */
  webhookUrl(): string | undefined;
  /** What the call manager does for one event. */
  decide(event: CallEvent): Promise<CallAction | undefined>;
  /** Folder of the replay memory (replay.jsonl). */
  storeDir: string;
  log: Logger;
}

/**
 * The way in for provider webhooks: each is verified (403 when not), checked against
 * replays (a repeated request gets the first answer again and runs nothing twice, also
 * after a restart: see replay-store.ts), turned into call events and answered once.
 */
export class WebhookGate {
  /** Webhooks already run (opened at the first webhook). */
  private replayStore?: Promise<ReplayStore>;

  constructor(private readonly opts: WebhookGateOptions) {}

  async handle(req: WebhookRequest): Promise<WebhookResponse> {
    const { provider, config, log } = this.opts;
    // Unsigned webhooks (development only) have nothing trustworthy to key replays on.
    if (config.skipSignatureVerification) return this.process(req);
    const verified = provider.verifyWebhook(req);
    if (!verified.ok) {
      log.warn(`${provider.name} webhook refused: ${verified.reason}`);
      return { status: 403, contentType: "text/plain; charset=utf-8", body: "invalid signature\n" };
    }
    const { replayKey, replayUntil } = verified;
    this.replayStore ??= ReplayStore.open(path.join(this.opts.storeDir, "replay.jsonl"), { log });
    const store = await this.replayStore;
    // From here to claim() nothing awaits: a copy arriving meanwhile sees the claim.
    const earlier = store.repeat(replayKey, replayUntil);
    if (earlier) {
      log.info(
        `${provider.name} webhook repeated (${replayKey.slice(0, 20)}…): answered as before, nothing run again`,
      );
      // Seen before a restart that lost its answer: the empty answer, still nothing run.
      return earlier.answer ?? provider.respond(undefined, undefined, { webhookUrl: this.webhookUrl(req) });
    }
    const claim = store.claim(replayKey, replayUntil);
    // On disk before anything runs: a crash from here on cannot make it run twice.
    await claim.persisted;
    const response = this.process(req);
    claim.settle(response);
    return response;
  }

  /** Waits for answers still being written, so replays after a restart get them. */
  async flush(): Promise<void> {
    await (await this.replayStore)?.flush();
  }

  private async process(req: WebhookRequest): Promise<WebhookResponse> {
    const { provider } = this.opts;
    const events = provider.parseWebhook(req);
    const webhookUrl = this.webhookUrl(req);
    // One webhook may carry several events (Twilio: call.started + call.answered): the
    // provider is answered once, for the last event, with the last decision taken.
    let action: CallAction | undefined;
    for (const event of events) action = (await this.opts.decide(event)) ?? action;
    try {
      return await provider.respond(events.at(-1), action, { webhookUrl });
    } catch (err) {
      // Telnyx refused a command: still 200, or it delivers the event again and again.
      this.opts.log.error(`${provider.name} webhook: ${(err as Error).message}`);
      return { status: 200, contentType: "application/json", body: "{}" };
    }
  }

  /** The URL to hand the provider: configured/tunnel URL, else the one this request came to. */
  private webhookUrl(req: WebhookRequest): string {
    const known = this.opts.webhookUrl();
    if (known) return known;
    const url = new URL(req.url);
    return `${url.origin}${url.pathname}`;
  }
}
