/**
 * Attack: a client grants itself `operator.admin` by asking for it in `connect` (or on
 * reconnect). Scopes are what the credential allows (`gateway.auth.scopes`, default all
 * operator scopes for the owner's shared token), intersected with what the client asks.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { RawSocket } from "../helpers/ws.js";

const TOKEN = "scope-test-token-0123456789abcdef";
const ASK_ALL = ["operator.read", "operator.write", "operator.admin", "operator.talk.secrets"];

let gw: RunningGateway;
let configFile: string;
let url: string;

function writeConfig(scopes?: string[]): void {
  writeFileSync(configFile, JSON.stringify({ gateway: { mode: "local", auth: { token: TOKEN, scopes } } }));
}

async function connect(scopes: string[]) {
  const socket = await RawSocket.open(url);
  const res = await socket.connect({ token: TOKEN }, { scopes });
  expect(res.ok).toBe(true);
  const granted = (res as unknown as { payload: { auth: { scopes: string[] } } }).payload.auth.scopes;
  return { socket, granted };
}

beforeAll(async () => {
  const dir = tempDir();
  configFile = path.join(dir, "openclaw.json");
  writeConfig();
  gw = await startGateway(["--port", "0", "--bind", "lan"], testEnv({ OPENCLAW_STATE_DIR: dir }));
  url = `ws://127.0.0.1:${gw.port}`;
});

afterAll(async () => {
  await gw.stop();
});

describe("scopes come from the credential, not from the client", () => {
  it("the owner's token grants every operator scope asked for, and nothing unknown", async () => {
    const { socket, granted } = await connect(ASK_ALL);
    expect(granted).toEqual(["operator.read", "operator.write", "operator.admin"]);
    socket.ws.close();
  });

  it("narrowing gateway.auth.scopes closes admin sessions; asking for admin again gets read/write only", async () => {
    const { socket: admin } = await connect(ASK_ALL);
    writeConfig(["operator.read", "operator.write"]);
    expect(await admin.closed).toEqual({
      code: 1008,
      reason: "gateway credential changed; reconnect with the new token",
    });

    const { socket, granted } = await connect(ASK_ALL);
    expect(granted).toEqual(["operator.read", "operator.write"]);
    await gw.waitForLine(
      /asked for scopes its credential does not grant \(operator\.admin, operator\.talk\.secrets\)/,
    );
    socket.request("g", "config.get", {});
    const { payload } = (await socket.response("g")) as unknown as { payload: { hash: string } };
    socket.request("p", "config.patch", {
      baseHash: payload.hash,
      patch: { gateway: { auth: { scopes: null } } },
    });
    expect((await socket.response("p")).error).toMatchObject({
      code: "FORBIDDEN",
      message: "missing scope: operator.admin",
    });
    socket.ws.close();
  });

  it("asking only for admin on reconnect gets no scope at all", async () => {
    const { socket, granted } = await connect(["operator.admin"]);
    expect(granted).toEqual([]);
    socket.request("h", "health", {});
    expect((await socket.response("h")).error).toMatchObject({
      code: "FORBIDDEN",
      message: "missing scope: operator.read",
    });
    socket.ws.close();
  });
});
