import { afterEach, beforeEach } from "vitest";
import type { GatewayClient } from "../../src/gateway/client.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import type { FakeServer } from "../fakes/server.js";
import type { RunningGateway } from "./cli.js";

/**
 * A fresh fake Anthropic for each test, and the gateways and clients a test starts: push
 * them on `running` / `clients` and they are stopped (SIGKILL) and closed after the test.
 */
export function useFakeModelGateways(): {
  readonly anthropic: FakeServer;
  readonly running: RunningGateway[];
  readonly clients: GatewayClient[];
} {
  let anthropic: FakeServer | undefined;
  const running: RunningGateway[] = [];
  const clients: GatewayClient[] = [];
  beforeEach(async () => {
    anthropic = await startFakeAnthropic();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(running.splice(0).map((gw) => gw.stop("SIGKILL")));
    await anthropic?.close();
  });
  return {
    get anthropic() {
      if (!anthropic) throw new Error("the fake model starts in beforeEach: use it inside a test");
      return anthropic;
    },
    running,
    clients,
  };
}
