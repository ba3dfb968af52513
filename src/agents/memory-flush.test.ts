import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeAnthropic } from "../../test/fakes/anthropic.js";
import type { FakeServer } from "../../test/fakes/server.js";
import { tempDir } from "../../test/helpers/cli.js";
import { ANSWER_RESERVE_TOKENS, compactionPlan, DEFAULT_SOFT_THRESHOLD_TOKENS } from "./compaction.js";
import { shouldFlushMemory } from "./memory-flush.js";
import { AgentRuntime, type RuntimeConfig } from "./runtime.js";

describe("compactionPlan", () => {
  it.each([
    // window, system prompt chars, reserveTokensFloor, softThresholdTokens → budget, compactAt, flushAt
    [
      "defaults",
      128_000,
      4_000,
      undefined,
      undefined,
      119_000,
      95_200,
      95_200 - DEFAULT_SOFT_THRESHOLD_TOKENS,
    ],
    ["a larger soft margin", 128_000, 4_000, undefined, 20_000, 119_000, 95_200, 75_200],
    ["a reserve floor above the answer reserve", 128_000, 4_000, 20_000, undefined, 107_000, 85_600, 81_600],
    ["a floor below the answer reserve", 128_000, 0, 5_000, 0, 120_000, 96_000, 96_000],
    ["a floor capped at a quarter of the window", 32_768, 0, 20_000, 4_000, 24_576, 19_660, 15_660],
    [
      "a window too small for the margin: flush at the mark",
      12_000,
      0,
      undefined,
      undefined,
      4_000,
      3_200,
      3_200,
    ],
  ])(
    "%s",
    (_case, contextTokens, systemPromptChars, reserveTokensFloor, softThresholdTokens, budget, compactAt, flushAt) => {
      expect(
        compactionPlan({ contextTokens, systemPromptChars, reserveTokensFloor, softThresholdTokens }),
      ).toEqual({
        budgetTokens: budget,
        compactAt,
        flushAt,
      });
    },
  );

  it("keeps the answer reserve when no floor is set", () => {
    const plan = compactionPlan({ contextTokens: 50_000, systemPromptChars: 0 });
    expect(plan.budgetTokens).toBe(50_000 - ANSWER_RESERVE_TOKENS);
  });
});

describe("shouldFlushMemory", () => {
  it("flushes past the mark once per compaction cycle", () => {
    expect(shouldFlushMemory(999, 1_000, undefined)).toBe(false);
    expect(shouldFlushMemory(1_000, 1_000, undefined)).toBe(true);
    expect(shouldFlushMemory(5_000, 1_000, { compactionCount: 0, memoryFlushCompactionCount: 0 })).toBe(
      false,
    );
    expect(shouldFlushMemory(5_000, 1_000, { memoryFlushCompactionCount: 0 })).toBe(false);
    expect(shouldFlushMemory(5_000, 1_000, { compactionCount: 1, memoryFlushCompactionCount: 0 })).toBe(true);
  });
});

describe("memory flush in a conversation", () => {
  let fake: FakeServer;
  beforeEach(async () => {
    fake = await startFakeAnthropic();
    process.env.ANTHROPIC_API_KEY = "sk-flush-test";
  });
  afterEach(async () => {
    delete process.env.ANTHROPIC_API_KEY;
    await fake.close();
  });

  it("runs softThresholdTokens before compaction, once per compaction cycle, not on every turn", async () => {
    // ~10,000 tokens a message. The compaction mark is ~35,000 tokens of history (less
    // 0.8 × the system prompt), the flush mark 30,000 below it: the first message crosses
    // the flush mark, the fourth the compaction mark.
    const config: RuntimeConfig = {
      models: { providers: { anthropic: { baseUrl: fake.url } } },
      agents: {
        defaults: {
          model: { primary: "anthropic/claude-sonnet-4-5" },
          contextTokens: 52_000,
          compaction: { memoryFlush: { softThresholdTokens: 30_000 } },
        },
      },
    };
    const rt = new AgentRuntime({ stateDir: tempDir(), config: () => config });
    const system = (r: (typeof fake.requests)[number]) => JSON.stringify(r.body.system ?? "");
    fake.setDefault((r) => ({
      text: system(r).includes("compress chat history") ? "Summary: notes." : "noted",
    }));
    const flushes = () =>
      fake.requests.filter((r) => system(r).includes("Session nearing compaction")).length;
    const compactions = () => fake.requests.filter((r) => system(r).includes("compress chat history")).length;
    const note = (i: number) => `note ${i}: ${"seeds, soil and water for the garden. ".repeat(1_080)}`;

    await rt.send({ sessionKey: "main", text: note(1) }).done;
    expect([flushes(), compactions()]).toEqual([1, 0]); // past the flush mark, well before compaction
    await rt.send({ sessionKey: "main", text: note(2) }).done;
    await rt.send({ sessionKey: "main", text: note(3) }).done;
    expect([flushes(), compactions()]).toEqual([1, 0]); // still the same cycle: no flush on every turn
    await rt.send({ sessionKey: "main", text: note(4) }).done;
    expect([flushes(), compactions()]).toEqual([1, 1]); // compacted; this cycle was flushed already
    await rt.send({ sessionKey: "main", text: note(5) }).done;
    expect([flushes(), compactions()]).toEqual([2, 1]); // a new cycle, past the flush mark again
    const row = (await rt.store("main")).get("agent:main:main")!;
    expect(row).toMatchObject({ compactionCount: 1, memoryFlushCompactionCount: 1 });
  });
});
