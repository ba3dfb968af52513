import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.js";
import type { FakeServer } from "../../../test/fakes/server.js";
import { tempDir } from "../../../test/helpers/cli.js";
import { AgentRuntime, type RuntimeConfig } from "../runtime.js";
import { referencedInbound } from "./retention.js";

let fake: FakeServer;
beforeEach(async () => {
  fake = await startFakeAnthropic();
  fake.setDefault({ text: "ok" });
  process.env.ANTHROPIC_API_KEY = "sk-retention-test";
});
afterEach(async () => {
  delete process.env.ANTHROPIC_API_KEY;
  await fake.close();
});

describe("media/inbound retention: files of unfinished turns", () => {
  it("the runtime names the messages of queued and running turns until each is done", async () => {
    const config: RuntimeConfig = {
      models: { providers: { anthropic: { baseUrl: fake.url } } },
      agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-5" } } },
    };
    const rt = new AgentRuntime({ stateDir: tempDir(), config: () => config });
    const a = "00000000-0000-4000-8000-00000000000a.pdf";
    const b = "00000000-0000-4000-8000-00000000000b.zip";
    const first = rt.send({
      sessionKey: "main",
      text: `[media attached: media/inbound/${a} (application/pdf) "a"]`,
    });
    const second = rt.send({
      sessionKey: "main",
      text: `[media attached: media/inbound/${b} (application/zip) "b"]`,
    });
    expect(referencedInbound(rt.unfinishedTexts())).toEqual(new Set([a, b]));
    await first.done;
    expect(referencedInbound(rt.unfinishedTexts())).toEqual(new Set([b]));
    await second.done;
    expect([...rt.unfinishedTexts()]).toEqual([]);
  });
});
