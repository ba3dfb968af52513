import { afterEach, describe, expect, it } from "vitest";
import { ALICE, BOB, GENERAL, type Harness, startHarness } from "../../../test/helpers/discord.js";
import { planMessages } from "./outbound.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const toGeneral = { kind: "channel" as const, id: GENERAL };
const messagesPath = `/channels/${GENERAL}/messages`;
const words = (from: number, n: number) => Array.from({ length: n }, (_, i) => `word${from + i}`).join(" ");

/** ~5,000 characters: a short intro, a 24-line code block that spans a cut, prose. */
function longAnswer() {
  const codeLines = Array.from(
    { length: 24 },
    (_, i) => `const value${i} = "${"x".repeat(80)}"; // line ${i}`,
  );
  const text = `${words(0, 60)}\n\n\`\`\`ts\n${codeLines.join("\n")}\n\`\`\`\n\n${words(60, 250)}`;
  return { text, codeLines };
}

describe("discord channel: outbound", () => {
  it("sends a 5,000-character answer as three messages with intact code blocks", async () => {
    h = await startHarness();
    const { text, codeLines } = longAnswer();
    expect(text.length).toBeGreaterThanOrEqual(5000);
    const { messageIds } = await h.channel.send({ target: toGeneral, text });
    const posted = h.fake.messages.filter((m) => m.channelId === GENERAL);
    expect(posted.map((m) => m.id)).toEqual(messageIds);
    expect(posted).toHaveLength(3);
    for (const m of posted) {
      expect(m.content.length).toBeLessThanOrEqual(2000);
      expect(m.content.split("\n").length).toBeLessThanOrEqual(17);
      expect(m.content.split("```").length % 2).toBe(1); // fences balanced
    }
    // Every code line arrives once, inside a fence.
    const fenced = posted.flatMap((m) => m.content.split("```").filter((_, i) => i % 2 === 1));
    expect(fenced.join("\n").match(/^const value\d+ .*$/gm)).toEqual(codeLines);
    expect(posted.map((m) => m.content).join(" ")).toContain("word309");
    expect(h.fake.requests.filter((r) => r.path === messagesPath).every((r) => r.authorized)).toBe(true);
  });

  it.each([
    ["off", [undefined, undefined]],
    ["first", ["555", undefined]],
    ["all", ["555", "555"]],
  ] as const)("replyToMode %s references the message on %j", async (mode, expected) => {
    h = await startHarness({}, { replyToMode: mode, textChunkLimit: 50 });
    await h.channel.send({
      target: toGeneral,
      text: `${words(0, 6)}\n\n${words(6, 6)}`,
      replyToMessageId: "555",
    });
    expect(h.fake.messages.map((m) => m.replyTo)).toEqual(expected);
  });

  it("sends files as multipart attachments on the last message", async () => {
    h = await startHarness();
    await h.channel.send({
      target: toGeneral,
      text: "here you go",
      files: [
        { name: "report.txt", data: Buffer.from("hello world") },
        { name: "data.json", data: Buffer.from("{}") },
      ],
    });
    const [request] = h.fake.requests.filter((r) => r.path === messagesPath);
    expect(request?.files.map((f) => [f.name, f.size])).toEqual([
      ["report.txt", 11],
      ["data.json", 2],
    ]);
    expect(h.fake.messages).toMatchObject([{ content: "here you go", files: [{ name: "report.txt" }, {}] }]);
  });

  it("answers a DM in the channel the user wrote from, and opens one when needed", async () => {
    h = await startHarness();
    h.fake.sendMessage({ channelId: "1300000000000000001", author: BOB, content: "hi" });
    const inbound = await h.inbox.next();
    await h.channel.send({ target: inbound.peer, text: "hello Bob" });
    expect(h.fake.messages.at(-1)).toMatchObject({ channelId: "1300000000000000001", content: "hello Bob" });

    h.fake.addUser(ALICE);
    await h.channel.send({ target: { kind: "direct", id: ALICE.id }, text: "hello Alice" });
    const opened = h.fake.requests.filter((r) => r.path === "/users/@me/channels");
    expect(opened).toHaveLength(1);
    expect(opened[0]!.body).toEqual({ recipient_id: ALICE.id });
    expect(h.fake.messages.at(-1)?.content).toBe("hello Alice");
  });

  it("shows typing through the typing endpoint", async () => {
    h = await startHarness();
    const typing = h.fake.nextRequest((r) => r.path === `/channels/${GENERAL}/typing`);
    await h.channel.sendTyping(toGeneral);
    expect(await typing).toMatchObject({ method: "POST", status: 204, authorized: true });
  });

  it("waits out a 429 and still delivers", async () => {
    h = await startHarness();
    h.fake.failNext({ method: "POST", path: messagesPath, status: 429, retryAfter: 1 });
    const started = Date.now();
    await h.channel.send({ target: toGeneral, text: "patience" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(h.fake.requests.filter((r) => r.path === messagesPath).map((r) => r.status)).toEqual([429, 200]);
    expect(h.fake.messages.map((m) => m.content)).toEqual(["patience"]);
  });

  it("retries a 500 with backoff and logs it", async () => {
    h = await startHarness();
    h.fake.failNext({ method: "POST", path: messagesPath, status: 500, times: 2 });
    await h.channel.send({ target: toGeneral, text: "eventually" });
    expect(h.fake.requests.filter((r) => r.path === messagesPath).map((r) => r.status)).toEqual([
      500, 500, 200,
    ]);
    expect(h.fake.messages.map((m) => m.content)).toEqual(["eventually"]);
    expect(h.logs.filter((l) => l.level === "warn" && /attempt \d\/3/.test(l.msg))).toHaveLength(2);
  });

  it("surfaces the final error after the last attempt, logged", async () => {
    h = await startHarness();
    h.fake.failNext({ method: "POST", path: messagesPath, status: 502, times: 3 });
    await expect(h.channel.send({ target: toGeneral, text: "lost?" })).rejects.toThrow(
      /failed after 3 attempt/,
    );
    expect(h.logs.some((l) => l.level === "error" && /failed after 3 attempt/.test(l.msg))).toBe(true);
  });

  it("does not retry what Discord refused (4xx)", async () => {
    h = await startHarness();
    await expect(h.channel.send({ target: { kind: "channel", id: "999" }, text: "x" })).rejects.toThrow(
      /after 1 attempt.*Unknown Channel/,
    );
  });
});

describe("planMessages", () => {
  const limits = { textChunkLimit: 2000, maxLinesPerMessage: 17 };
  const file = (name: string) => ({ name, data: Buffer.from(name) });

  it("puts files on the last text message, ten per message", () => {
    const files = Array.from({ length: 12 }, (_, i) => file(`f${i}`));
    const plan = planMessages({ text: "hi", files }, limits);
    expect(plan.map((m) => [m.content, m.files.length])).toEqual([
      ["hi", 10],
      [undefined, 2],
    ]);
  });

  it("sends files alone when there is no text, and nothing for nothing", () => {
    expect(planMessages({ text: "  ", files: [file("a")] }, limits)).toEqual([{ files: [file("a")] }]);
    expect(planMessages({ text: "" }, limits)).toEqual([]);
  });

  it("honours maxLinesPerMessage", () => {
    const text = Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n");
    const plan = planMessages({ text }, limits);
    expect(plan.length).toBe(3);
    expect(plan.every((m) => (m.content ?? "").split("\n").length <= 17)).toBe(true);
  });
});
