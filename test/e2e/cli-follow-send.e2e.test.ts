import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startFakeTelegram } from "../fakes/telegram/index.js";
import { CLI_PATH, freePort, runCli, startGateway, tempDir, testEnv } from "../helpers/cli.js";

const TOKEN = "cli-follow-send-token-0123";

async function gatewayWith(config: object, extraEnv: Record<string, string> = {}) {
  const dir = tempDir();
  writeFileSync(path.join(dir, "openclaw.json"), JSON.stringify(config));
  const port = await freePort();
  const env = testEnv({
    OPENCLAW_STATE_DIR: dir,
    OPENCLAW_GATEWAY_TOKEN: TOKEN,
    OPENCLAW_GATEWAY_PORT: String(port),
    ...extraEnv,
  });
  return { env, gateway: await startGateway(["--port", String(port)], env) };
}

describe("openclaw message send (built CLI, fake Telegram Bot API on loopback)", () => {
  it("sends the text to the chat through the running channel, with OpenClaw's flags", async () => {
    const telegram = await startFakeTelegram();
    const { env, gateway } = await gatewayWith(
      { gateway: { mode: "local" }, channels: { telegram: { enabled: true, apiRoot: telegram.apiRoot } } },
      { TELEGRAM_BOT_TOKEN: telegram.token },
    );
    try {
      await telegram.pollHeld();
      const sent = telegram.nextSent((m) => m.chatId === "4242");
      const result = await runCli(
        [
          "message",
          "send",
          "--channel",
          "telegram",
          "--target",
          "4242",
          "--message",
          "hello from the CLI",
          "--json",
        ],
        env,
      );
      expect(result.code).toBe(0);
      expect(await sent).toMatchObject({ chatId: "4242", text: "hello from the CLI" });
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, channel: "telegram", to: "direct:4242" });
      const text = await runCli(["message", "send", "-t", "-100777", "-m", "to the group"], env);
      expect(text.stdout).toMatch(/^sent to group:-100777 on telegram \(message \d+\)\n$/);
      expect(telegram.sent.map((m) => m.chatId)).toEqual(["4242", "-100777"]);
    } finally {
      await gateway.stop();
      await telegram.close();
    }
  });
});

describe("openclaw logs --follow (built CLI)", () => {
  it("prints lines written after it started, until Ctrl-C", async () => {
    const { env, gateway } = await gatewayWith({ gateway: { mode: "local" } });
    const follow = spawn(process.execPath, [CLI_PATH, "logs", "--follow", "--json", "--interval", "100"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const seen = (pattern: RegExp) =>
      new Promise<void>((resolve) => {
        const check = () => pattern.test(out) && resolve();
        follow.stdout.on("data", (d) => {
          out += d;
          check();
        });
        check();
      });
    const exited = new Promise<number | null>((resolve) => follow.on("close", (code) => resolve(code)));
    try {
      await seen(/"type":"meta"/);
      // A config edit makes the running gateway log its reload: a line written after `logs` started.
      expect((await runCli(["config", "set", "logging.consoleLevel", "warn"], env)).code).toBe(0);
      await seen(/"type":"log".*logging\.consoleLevel/);
      follow.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      follow.kill("SIGKILL");
      await gateway.stop();
    }
  });
});
