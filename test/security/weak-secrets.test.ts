/**
 * Attack: run a reachable gateway on a guessable secret (`--token a`, a token of spaces,
 * a 1-character Telegram webhook secret), or swap a strong secret for a weak one while
 * it runs. Each is refused with a sentence naming the key and `openssl rand -hex 32`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { RawSocket } from "../helpers/ws.js";

const STRONG = "9f86d081884c7d659a2feaa0c55ad015";

function stateWith(config: Record<string, unknown>): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, "openclaw.json"), JSON.stringify(config));
  return dir;
}

describe("a gateway beyond loopback refuses to start on a weak secret", () => {
  it.each([
    ["--token a", ["--token", "a"], {}, "--token is 1 character long"],
    ["a token of spaces", ["--token", "                    "], {}, "--token is empty or only whitespace"],
    [
      "a 15-character env token",
      [],
      { OPENCLAW_GATEWAY_TOKEN: "  0123456789abcde  " },
      "OPENCLAW_GATEWAY_TOKEN is 15 characters long",
    ],
  ])("%s", async (_name, args, extraEnv, reason) => {
    const env = testEnv({ OPENCLAW_STATE_DIR: tempDir(), ...extraEnv });
    const result = await runCli(
      ["gateway", "--allow-unconfigured", "--port", "0", "--bind", "lan", ...args],
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Refusing to bind gateway to lan with a weak token: ${reason}`);
    expect(result.stderr).toContain("generate one with `openssl rand -hex 32`");
    expect(result.stdout + result.stderr).not.toContain("listening on");
  });

  it("a weak password is refused too, and the same secret on loopback only warns", async () => {
    const dir = stateWith({ gateway: { mode: "local", auth: { mode: "password", password: "hunter2" } } });
    const refused = await runCli(
      ["gateway", "--port", "0", "--bind", "lan"],
      testEnv({ OPENCLAW_STATE_DIR: dir }),
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("with a weak password: gateway.auth.password is 7 characters long");
    expect(refused.stderr).not.toContain("hunter2");
    const local = await startGateway(
      ["--port", "0", "--bind", "loopback"],
      testEnv({ OPENCLAW_STATE_DIR: dir }),
    );
    await local.waitForLine(/the gateway password \(gateway\.auth\.password\) is 7 characters long/);
    await local.stop();
  });

  it("the Fly guide's generated token starts", async () => {
    const gw = await startGateway(
      ["--allow-unconfigured", "--port", "0", "--bind", "lan"],
      testEnv({ OPENCLAW_STATE_DIR: tempDir(), OPENCLAW_GATEWAY_TOKEN: STRONG }),
    );
    expect(gw.output().stderr).not.toContain("weak");
    await gw.stop();
  });
});

describe("config validation refuses weak secrets, naming the key and never the value", () => {
  it("a 1-character Telegram webhook secret", async () => {
    const dir = stateWith({
      gateway: { mode: "local" },
      channels: {
        telegram: { botToken: "1:fake", webhookUrl: "https://bot.example/tg", webhookSecret: "q" },
      },
    });
    const result = await runCli(["config", "validate"], testEnv({ OPENCLAW_STATE_DIR: dir }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "channels.telegram.webhookSecret: must be 16-256 characters of A-Z, a-z, 0-9, _ or - (generate one with `openssl rand -hex 32`) (got 1 character, not shown)",
    );
  });

  it("`config set gateway.auth.token` to a short token when the file binds lan", async () => {
    const dir = stateWith({ gateway: { mode: "local", bind: "lan" } });
    const env = testEnv({ OPENCLAW_STATE_DIR: dir });
    const result = await runCli(["config", "set", "gateway.auth.token", "letmein"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "gateway.auth.token: is 7 characters long; at least 16 are needed for gateway.bind=lan",
    );
    expect(result.stderr).not.toContain("letmein");
    expect(readFileSync(path.join(dir, "openclaw.json"), "utf8")).not.toContain("letmein");
  });
});

describe("a running lan gateway keeps its strong secret", () => {
  let gw: RunningGateway;
  let dir: string;
  let url: string;

  beforeAll(async () => {
    // The bind comes from the command line (as on Fly), so only the running gateway knows it is lan.
    dir = stateWith({ gateway: { mode: "local", auth: { token: STRONG } } });
    gw = await startGateway(["--port", "0", "--bind", "lan"], testEnv({ OPENCLAW_STATE_DIR: dir }));
    url = `ws://127.0.0.1:${gw.port}`;
  });
  afterAll(async () => {
    await gw.stop();
  });

  it("config.patch to a 1-character token is refused and nothing is written", async () => {
    const socket = await RawSocket.open(url);
    expect((await socket.connect({ token: STRONG })).ok).toBe(true);
    socket.request("g", "config.get", {});
    const { payload } = (await socket.response("g")) as unknown as { payload: { hash: string } };
    socket.request("p", "config.patch", {
      baseHash: payload.hash,
      patch: { gateway: { auth: { token: "a" } } },
    });
    const res = await socket.response("p");
    expect(res.ok).toBe(false);
    expect(res.error?.message).toContain(
      "gateway.auth.token: is 1 character long; at least 16 are needed while this gateway listens beyond loopback (bind=lan); generate one with `openssl rand -hex 32`",
    );
    expect(readFileSync(path.join(dir, "openclaw.json"), "utf8")).toContain(STRONG);
    socket.ws.close();
  });

  it("a hand edit to a token of spaces is skipped: the old token keeps working", async () => {
    writeFileSync(
      path.join(dir, "openclaw.json"),
      JSON.stringify({ gateway: { mode: "local", auth: { token: "                " } } }),
    );
    await gw.waitForLine(/config reload skipped: gateway\.auth\.token: is empty or only whitespace/);
    const socket = await RawSocket.open(url);
    expect((await socket.connect({ token: STRONG })).ok).toBe(true);
    socket.ws.close();
  });
});
