/**
 * A fresh install has no model key yet ("next: set a model key"). Its Control UI must
 * still list sessions and show their history: the session defaults then name no model
 * instead of failing the whole method (OpenClaw's clients read them on every page).
 */
import { afterEach, describe, expect, it } from "vitest";
import { GatewayClient } from "../../src/gateway/client.js";
import { type InProcessGateway, startInProcessGateway } from "../helpers/in-process-gateway.js";

const TOKEN = "no-model-token-0123456789";

describe("a gateway with no model configured and no provider key", () => {
  let gateway: InProcessGateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  it("answers sessions.list and chat.history, with no default model", async () => {
    gateway = await startInProcessGateway({ token: TOKEN, config: {} });
    const { client } = await GatewayClient.connect({ url: gateway.url.replace(/^http/, "ws"), token: TOKEN });
    try {
      const list = (await client.request("sessions.list", {})) as { defaults: Record<string, unknown> };
      expect(list.defaults).toMatchObject({ model: null, modelProvider: null });
      const history = (await client.request("chat.history", { sessionKey: "main" })) as {
        messages: unknown[];
        defaults: Record<string, unknown>;
      };
      expect(history.messages).toEqual([]);
      expect(history.defaults).toMatchObject({ model: null });
    } finally {
      await client.close();
    }
  });
});
