/**
 * Attack: keep using a connection opened with a token the owner has since rotated
 * (leaked token, revoked laptop). Rotation through config.patch or a hand edit must close
 * every connection that proved the old token, and the old token must stop opening new ones.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { RawSocket } from "../helpers/ws.js";

const OLD = "old-token-0123456789abcdef";
const NEW = "new-token-0123456789abcdef";
const HAND = "hand-edited-token-0123456789";
const CHANGED = { code: 1008, reason: "gateway credential changed; reconnect with the new token" };

let gw: RunningGateway;
let configFile: string;
let url: string;

async function connected(token: string): Promise<RawSocket> {
  const socket = await RawSocket.open(url);
  const res = await socket.connect({ token });
  if (!res.ok) throw new Error(`connect with ${token} failed: ${JSON.stringify(res.error)}`);
  return socket;
}

async function refused(token: string): Promise<string | undefined> {
  const socket = await RawSocket.open(url);
  const res = await socket.connect({ token });
  expect(res.ok).toBe(false);
  return (res.error as { details?: { code?: string } } | undefined)?.details?.code;
}

beforeAll(async () => {
  const dir = tempDir();
  configFile = path.join(dir, "openclaw.json");
  writeFileSync(configFile, JSON.stringify({ gateway: { mode: "local", auth: { token: OLD } } }));
  gw = await startGateway(["--port", "0", "--bind", "lan"], testEnv({ OPENCLAW_STATE_DIR: dir }));
  url = `ws://127.0.0.1:${gw.port}`;
});

afterAll(async () => {
  await gw.stop();
});

describe("rotating the gateway token closes the connections that used the old one", () => {
  it("through config.patch: both the editor's and a bystander's connections close", async () => {
    const editor = await connected(OLD);
    const bystander = await connected(OLD);
    editor.request("g", "config.get", {});
    const { payload } = (await editor.response("g")) as unknown as { payload: { hash: string } };
    editor.request("p", "config.patch", {
      baseHash: payload.hash,
      patch: { gateway: { auth: { token: NEW } } },
    });
    expect(await bystander.closed).toEqual(CHANGED);
    expect(await editor.closed).toEqual(CHANGED);

    expect(await refused(OLD)).toBe("AUTH_TOKEN_MISMATCH");
    (await connected(NEW)).ws.close();
  });

  it("through a hand edit of openclaw.json", async () => {
    const session = await connected(NEW);
    writeFileSync(configFile, JSON.stringify({ gateway: { mode: "local", auth: { token: HAND } } }));
    expect(await session.closed).toEqual(CHANGED);
    expect(await refused(NEW)).toBe("AUTH_TOKEN_MISMATCH");
    (await connected(HAND)).ws.close();
  });

  it("an edit that leaves the token alone keeps connections open", async () => {
    const session = await connected(HAND);
    writeFileSync(
      configFile,
      JSON.stringify({ gateway: { mode: "local", auth: { token: HAND } }, logging: { level: "debug" } }),
    );
    await gw.waitForLine(/config applied live \(file change\): logging\.level/);
    session.request("h", "health", {});
    expect((await session.response("h")).ok).toBe(true);
    session.ws.close();
  });
});
