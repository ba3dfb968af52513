/**
 * Whole calls through the fake phone networks for the provider tests: the fake network
 * POSTs signed webhooks to a loopback server standing in for the gateway's webhook route
 * and call manager (verify, drop repeats, parse, let a scripted agent decide, respond),
 * and runs what comes back. Everything started is closed after each test.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";
import { createTelnyxProvider } from "../../src/plugins/voice-call/providers/telnyx.js";
import { createTwilioProvider, statusCallbackUrl } from "../../src/plugins/voice-call/providers/twilio.js";
import type { CallAction, CallEvent, VoiceProvider } from "../../src/plugins/voice-call/providers/types.js";
import { type FakeTelnyx, startFakeTelnyx } from "../fakes/telnyx.js";
import { type FakeTwilio, type FakeTwilioOptions, startFakeTwilio } from "../fakes/twilio.js";

export type Decide = (event: CallEvent, gateway: Gateway) => CallAction | undefined;

export interface Gateway {
  webhookUrl: string;
  events: CallEvent[];
  refused: string[];
  duplicates: number;
  errors: string[];
  /** The first event (so far or to come) of `type` on `callId`. */
  event<T extends CallEvent["type"]>(type: T, callId: string): Promise<Extract<CallEvent, { type: T }>>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A polite agent: greets, repeats what it heard, and says goodbye when told to. */
export const echoAgent: Decide = (event) => {
  switch (event.type) {
    case "call.answered":
      return { say: "Hello, how can I help?", next: "listen" };
    case "speech":
      return /goodbye/i.test(event.transcript)
        ? { say: "Bye!", next: "hangup" }
        : { say: `You said: ${event.transcript}`, next: "listen" };
    case "speech.timeout":
      return { say: "Are you still there?", next: "listen" };
    default:
      return undefined;
  }
};

export async function startWebhookGateway(provider: VoiceProvider, decide: Decide): Promise<Gateway> {
  const watchers = new Set<() => boolean>();
  const seen = new Set<string>();
  let base = "";
  const gateway: Gateway = {
    webhookUrl: "",
    events: [],
    refused: [],
    duplicates: 0,
    errors: [],
    event(type, callId) {
      const find = () =>
        gateway.events.find((e) => e.type === type && e.callId === callId) as
          | Extract<CallEvent, { type: typeof type }>
          | undefined;
      return new Promise((resolve) => {
        const check = () => {
          const found = find();
          if (found) resolve(found);
          return found !== undefined;
        };
        if (!check()) watchers.add(check);
      });
    },
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]),
    );
    const webhook = { url: `${base}${req.url}`, headers, rawBody: Buffer.concat(chunks) };
    const verdict = provider.verifyWebhook(webhook);
    if (!verdict.ok) {
      gateway.refused.push(verdict.reason);
      res.writeHead(403).end();
      return;
    }
    let event: CallEvent | undefined;
    let action: CallAction | undefined;
    if (seen.has(verdict.replayKey)) {
      gateway.duplicates++;
    } else {
      seen.add(verdict.replayKey);
      const events = provider.parseWebhook(webhook);
      gateway.events.push(...events);
      for (const w of [...watchers]) if (w()) watchers.delete(w);
      event = events.at(-1);
      action = event ? decide(event, gateway) : undefined;
    }
    try {
      const answer = await provider.respond(event, action, { webhookUrl: gateway.webhookUrl });
      res.writeHead(answer.status, { "content-type": answer.contentType }).end(answer.body);
    } catch (err) {
      // Telnyx redelivers what is not answered 200: note the failure, answer anyway.
      gateway.errors.push((err as Error).message);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gateway.webhookUrl = `${base}/voice/webhook`;
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return gateway;
}

export async function twilioSetup(decide: Decide = echoAgent, options: FakeTwilioOptions = {}) {
  const fake: FakeTwilio = await startFakeTwilio(options);
  cleanups.push(() => fake.close());
  const provider = createTwilioProvider(
    { accountSid: fake.accountSid, authToken: fake.authToken },
    { apiBaseUrl: fake.apiBaseUrl },
  );
  const gateway = await startWebhookGateway(provider, decide);
  const dial = () =>
    fake.inboundCall({
      from: "+15550003333",
      to: "+15550001111",
      webhookUrl: gateway.webhookUrl,
      statusCallback: statusCallbackUrl(gateway.webhookUrl),
    });
  return { fake, provider, gateway, dial };
}

export async function telnyxSetup(decide: Decide = echoAgent, options: { autoAnswer?: boolean } = {}) {
  const fake: FakeTelnyx = await startFakeTelnyx(options);
  cleanups.push(() => fake.close());
  const provider = createTelnyxProvider(
    { apiKey: fake.apiKey, connectionId: fake.connectionId, publicKey: fake.publicKey },
    { apiBaseUrl: fake.apiBaseUrl },
  );
  const gateway = await startWebhookGateway(provider, decide);
  const dial = async () => {
    const call = await fake.inboundCall({
      from: "+15550003333",
      to: "+15550001111",
      webhookUrl: gateway.webhookUrl,
    });
    await call.settled();
    return call;
  };
  return { fake, provider, gateway, dial };
}
