/**
 * Reliability: the state dir's disk fills up (a 4 MB tmpfs, mounted here as root)
 * while the gateway runs. A message then gets a clear error and is not acknowledged,
 * no file is left half-written, and once space returns the gateway carries on.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GatewayClient, GatewayResponseError } from "../../src/gateway/client.js";
import { startFakeAnthropic } from "../fakes/anthropic.js";
import { startGateway, tempDir, testEnv } from "../helpers/cli.js";
import { baseConfig, writeConfigFile } from "../helpers/config.js";
import { readSessionIndex } from "../helpers/session-index.js";

const mountPoint = path.join(tempDir("diskfull-"), "state");
afterAll(() => {
  try {
    execFileSync("umount", [mountPoint]);
  } catch {
    // Not mounted (the test failed before mounting).
  }
});

function fillDisk(dir: string): string {
  const filler = path.join(dir, "filler.bin");
  try {
    // dd stops with "No space left on device" once the tmpfs is full.
    execFileSync("dd", ["if=/dev/zero", `of=${filler}`, "bs=4k"], { stdio: "ignore" });
  } catch {
    // Expected: the disk is full now.
  }
  return filler;
}

describe("chaos: disk full", () => {
  it("refuses messages with a clear error while the disk is full, leaves no partial file, and recovers", async () => {
    mkdirSync(mountPoint, { recursive: true });
    // Requires root (as CI and the dev machines run); a failure here fails the test loudly.
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint]);
    const model = await startFakeAnthropic();
    model.setDefault((request) => {
      const messages = request.body.messages as { content: { text?: string }[] | string }[];
      const last = messages.at(-1)!.content;
      return { text: `re: ${typeof last === "string" ? last : (last[0]?.text ?? "")}` };
    });
    writeConfigFile(mountPoint, baseConfig(model.url));
    const gw = await startGateway(
      ["--port", "0"],
      testEnv({ OPENCLAW_STATE_DIR: mountPoint, ANTHROPIC_API_KEY: "sk-disk-123" }),
    );
    const { client } = await GatewayClient.connect({ url: `ws://127.0.0.1:${gw.port}` });
    const ask = async (message: string) => {
      let done!: (text: string) => void;
      const answered = new Promise<string>((r) => (done = r));
      const off = client.onEvent((f) => {
        const p = f.payload as { state?: string; message?: { content: { text: string }[] } };
        if (f.event === "chat" && p.state === "final" && p.message?.content[0]?.text === `re: ${message}`)
          done(p.message.content[0].text);
      });
      await client.request("chat.send", { sessionKey: "main", message, idempotencyKey: message });
      const text = await answered;
      off();
      return text;
    };
    try {
      expect(await ask("before")).toBe("re: before");

      const filler = fillDisk(mountPoint);
      // Larger than the slack left in the journal's last page, so the append needs new space.
      const during = `during ${"x".repeat(16_384)}`;
      const refused = (await client
        .request("chat.send", { sessionKey: "main", message: during, idempotencyKey: "during" })
        .catch((e: unknown) => e)) as GatewayResponseError;
      expect(refused).toBeInstanceOf(GatewayResponseError);
      expect(refused.error).toMatchObject({ code: "UNAVAILABLE", retryable: true });
      expect(refused.error.message).toMatch(/^could not record the message: .*ENOSPC/);
      expect(await client.request("health")).toMatchObject({ ok: true });

      rmSync(filler);
      expect(await ask("after")).toBe("re: after");

      // No half-written file: every line of the journal and transcripts parses; no temp files left.
      const sessions = path.join(mountPoint, "agents/main/sessions");
      expect(Object.keys(readSessionIndex(sessions))).toContain("agent:main:main");
      const texts: string[] = [];
      for (const file of [
        path.join(mountPoint, "agents/inbox.jsonl"),
        ...readdirSync(sessions)
          .filter((f) => f.endsWith(".jsonl"))
          .map((f) => path.join(sessions, f)),
      ]) {
        for (const line of readFileSync(file, "utf8").split("\n").filter(Boolean)) {
          const parsed = JSON.parse(line);
          if (parsed.message?.role === "user") texts.push(parsed.message.content[0].text);
        }
      }
      expect(texts).toEqual(["before", "after"]);
      // Temp files are checked once the gateway has stopped: while it runs, the index write
      // that follows the answer may still be in flight (seen under load), which is no leftover.
      await client.close();
      expect((await gw.stop()).code).toBe(0);
      const leftovers = readdirSync(sessions).filter((f) => f.endsWith(".tmp"));
      expect(leftovers).toEqual([]);
      expect(existsSync(path.join(mountPoint, "openclaw.json"))).toBe(true);
    } finally {
      await client.close();
      await gw.stop();
      await model.close();
    }
  });
});
