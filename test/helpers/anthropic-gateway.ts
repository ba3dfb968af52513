import { GatewayClient } from "../../src/gateway/client.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import { type InProcessGateway, startInProcessGateway } from "./in-process-gateway.js";

export interface AnthropicGateway {
  fake: FakeServer;
  gateway: InProcessGateway;
  client: GatewayClient;
  /** One session's row as `sessions.describe` gives it. */
  row(key: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * An in-process gateway whose `anthropic` provider is the fake Anthropic server, with
 * `agentDefaults` as `agents.defaults`, and an operator client connected with `token`.
 */
export async function startAnthropicGateway(
  token: string,
  agentDefaults: Record<string, unknown>,
): Promise<AnthropicGateway> {
  const fake = await startFakeAnthropic();
  const gateway = await startInProcessGateway({
    token,
    config: {
      models: { providers: { anthropic: { baseUrl: fake.url, apiKey: "sk-ant-api03-test" } } },
      agents: { defaults: agentDefaults },
    },
  });
  const { client } = await GatewayClient.connect({ url: gateway.url.replace(/^http/, "ws"), token });
  return {
    fake,
    gateway,
    client,
    row: async (key) =>
      ((await client.request("sessions.describe", { key })) as { session: Record<string, unknown> }).session,
    async close() {
      await client.close();
      await gateway.close();
      await fake.close();
    },
  };
}
