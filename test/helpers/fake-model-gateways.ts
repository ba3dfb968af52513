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

/**
 * Gateways a test starts (push them on `running`) and fakes it opens (push their `close`
 * on `cleanups`): after each test the gateways are killed (SIGKILL), then the fakes closed.
 */
export function useRunningGateways(): {
  readonly running: RunningGateway[];
  readonly cleanups: (() => Promise<void>)[];
} {
  const running: RunningGateway[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((gw) => gw.stop("SIGKILL")));
    for (const c of cleanups.splice(0)) await c();
  });
  return { running, cleanups };
}
