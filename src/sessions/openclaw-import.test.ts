import { cpSync, readdirSync, renameSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { createLogger } from "../infra/logger.js";
import { SqliteSessionIndex } from "./index-db.js";
import { importOpenClawAgentDb } from "./openclaw-import.js";
import { INDEX_FILE, SessionStore } from "./store.js";

const FIXTURE = path.resolve(import.meta.dirname, "../../test/fixtures/openclaw-state/v2026.9.6");
const log = createLogger("test");

function copy() {
  const state = tempDir();
  cpSync(FIXTURE, state, { recursive: true });
  return path.join(state, "agents/main/sessions");
}

describe("importing an OpenClaw 2026.9.6 agent database", () => {
  it("copies rows and transcripts (text content as blocks), then does nothing while it is unchanged", async () => {
    const dir = copy();
    const store = await SessionStore.open(dir, log);
    const main = store.get("agent:main:main")!;
    expect(main.totalTokens).toBeGreaterThan(0);
    const messages = await store.transcript(main.sessionId).messages();
    expect(messages.map((m) => m.message!.content[0])).toContainEqual({
      type: "text",
      text: "a second turn",
    });
    const [header] = await store.transcript(main.sessionId).read();
    expect(header).toMatchObject({ type: "session", version: 3, sessionKey: "agent:main:main" });
    store.close();

    const index = new SqliteSessionIndex(path.join(dir, INDEX_FILE));
    expect(await importOpenClawAgentDb(dir, index, log)).toBe(0);
    index.close();
  });

  it("imports a session again when OpenClaw moved our copy of its transcript away", async () => {
    const dir = copy();
    const first = await SessionStore.open(dir, log);
    const { sessionId } = first.get("agent:main:fixture-two")!;
    first.close();
    renameSync(path.join(dir, `${sessionId}.jsonl`), path.join(dir, "moved-by-openclaw"));
    const index = new SqliteSessionIndex(path.join(dir, INDEX_FILE));
    // Its database changed when it did that; here: forget the last-seen shape.
    index.setMeta("openclaw.agentDb", "changed");
    expect(await importOpenClawAgentDb(dir, index, log)).toBe(1);
    index.close();
    expect(readdirSync(dir)).toContain(`${sessionId}.jsonl`);
  });
});
