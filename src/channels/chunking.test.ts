import { describe, expect, it } from "vitest";
import { chunkText } from "./chunking.js";

/** Every chunk must have balanced fences. */
const balanced = (chunk: string) => (chunk.match(/^\s*```/gm) ?? []).length % 2 === 0;

describe("chunkText", () => {
  it("keeps short text whole", () => {
    expect(chunkText("hello world", { limit: 2000 })).toEqual(["hello world"]);
  });

  it("splits on paragraph, then line, then word boundaries within the limit", () => {
    const para = "word ".repeat(300).trim(); // 1499 chars
    const chunks = chunkText(`${para}\n\n${para}`, { limit: 2000 });
    expect(chunks).toEqual([para, para]);
    const words = chunkText("alpha beta gamma delta epsilon zeta eta theta", { limit: 20 });
    for (const c of words) expect(c.length).toBeLessThanOrEqual(20);
    expect(words.join(" ")).toBe("alpha beta gamma delta epsilon zeta eta theta");
  });

  it("a 5,000-character answer with a code block becomes three messages with intact code blocks", () => {
    const prose = "This is a sentence of prose that explains things. ".repeat(30); // 1500
    const code = Array.from({ length: 60 }, (_, i) => `const value${i} = compute(${i}); // line ${i}`).join(
      "\n",
    );
    const text = `${prose}\n\n\`\`\`ts\n${code}\n\`\`\`\n\n${prose}`.slice(0, 5000);
    const answer = text.length < 5000 ? text + " more".repeat(Math.ceil((5000 - text.length) / 5)) : text;
    const chunks = chunkText(answer.slice(0, 5000), { limit: 2000 });
    expect(chunks).toHaveLength(3);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(2000);
      expect(balanced(c)).toBe(true);
    }
    // Reopened fences keep the language, and no code line is lost or split.
    const codeChunks = chunks.filter((c) => c.includes("const value"));
    for (const c of codeChunks.slice(1)) expect(c.startsWith("```ts\n") || !c.includes("```")).toBe(true);
    const allCode = chunks.join("\n").match(/const value\d+ = compute\(\d+\); \/\/ line \d+/g) ?? [];
    expect(allCode).toHaveLength(60);
  });

  it("respects maxLinesPerMessage", () => {
    const text = Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n");
    const chunks = chunkText(text, { limit: 2000, maxLines: 17 });
    expect(chunks.map((c) => c.split("\n").length)).toEqual([17, 17, 6]);
    expect(chunks.join("\n")).toBe(text);
  });

  it("counts the closing fence it adds against maxLinesPerMessage", () => {
    const code = Array.from({ length: 24 }, (_, i) => `const value${i} = ${i};`).join("\n");
    const chunks = chunkText(`intro\n\n\`\`\`ts\n${code}\n\`\`\`\n\nend`, { limit: 2000, maxLines: 17 });
    for (const c of chunks) expect(c.split("\n").length).toBeLessThanOrEqual(17);
    expect(chunks.join("\n").match(/const value\d+/g)).toHaveLength(24);
  });

  it("hard-cuts a single run longer than the limit", () => {
    const chunks = chunkText("x".repeat(50), { limit: 20 });
    expect(chunks.join("")).toBe("x".repeat(50));
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(20);
  });

  it("rejects a nonsensical limit", () => {
    expect(() => chunkText("x", { limit: 5 })).toThrow("chunk limit must be at least 20");
  });
});

describe("chunkText on random input", () => {
  it("always terminates within bounds and loses no words", () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pieces = ["word", "```", "```py", "\n", "\n\n", " ", "longerword".repeat(5), "x"];
    for (let run = 0; run < 300; run++) {
      const text = Array.from(
        { length: 20 + Math.floor(rand() * 200) },
        () => pieces[Math.floor(rand() * pieces.length)],
      ).join(" ");
      const limit = 20 + Math.floor(rand() * 300);
      const maxLines = rand() > 0.5 ? 1 + Math.floor(rand() * 10) : undefined;
      const chunks = chunkText(text, { limit, maxLines });
      for (const c of chunks) expect(c.length).toBeLessThanOrEqual(limit);
      const words = (s: string) =>
        s
          .replace(/```\S*/g, " ")
          .split(/\s+/)
          .filter(Boolean)
          .join("");
      expect(words(chunks.join(" "))).toBe(words(text));
    }
  });
});
