import { mkdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { chunkMarkdown, tokenize } from "./chunk.js";
import { MemoryIndex } from "./index.js";

const open: MemoryIndex[] = [];
afterEach(() => {
  for (const index of open.splice(0)) index.close();
});

function workspace(files: Record<string, string>, watch = false): { dir: string; index: MemoryIndex } {
  const root = tempDir();
  const dir = path.join(root, "workspace");
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), body);
  }
  mkdirSync(dir, { recursive: true });
  const index = MemoryIndex.open(dir, path.join(root, "memory", "main.sqlite"), { watch });
  open.push(index);
  return { dir, index };
}

describe("memory chunks and terms", () => {
  it("splits long notes into overlapping line ranges that cover every line", () => {
    const body = Array.from({ length: 200 }, (_, i) => `line ${i + 1} ${"x".repeat(40)}`).join("\n");
    const chunks = chunkMarkdown(body);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks[0]!.startLine).toBe(1);
    expect(chunks.at(-1)!.endLine).toBe(200);
    for (let i = 1; i < chunks.length; i++) {
      expect(chunks[i]!.startLine).toBeLessThanOrEqual(chunks[i - 1]!.endLine); // overlap, no gap
      expect(chunks[i]!.startLine).toBeGreaterThan(chunks[i - 1]!.startLine); // always forward
    }
  });

  it("lower-cases words and splits CJK text into characters", () => {
    expect(tokenize("Ada's DENTIST, 2026-03-01")).toEqual(["ada", "s", "dentist", "2026", "03", "01"]);
    expect(tokenize("牙医预约")).toEqual(["牙", "医", "预", "约"]);
  });
});

describe("memory index", () => {
  it("finds the note and line range that holds a fact", async () => {
    const { index } = workspace({
      "MEMORY.md": "# Memory\n\nThe user prefers tea over coffee.\n",
      "memory/2026-01-02.md": "# Notes\n\nBought a bike.\n\nDentist appointment on Friday at 9.\n",
    });
    const [hit] = await index.search("when is the dentist appointment");
    expect(hit).toMatchObject({ path: "memory/2026-01-02.md", startLine: 1, endLine: 5, source: "memory" });
    expect(hit!.snippet).toContain("Dentist appointment on Friday");
  });

  it.each([false, true])("follows edits and deletions on disk (watcher: %s)", async (watch) => {
    const { dir, index } = workspace({ "memory/a.md": "The wifi password hint is pelican.\n" }, watch);
    expect(await index.search("pelican")).toHaveLength(1);
    writeFileSync(path.join(dir, "memory/a.md"), "The wifi password hint is albatross now, longer.\n");
    expect(await index.search("pelican")).toHaveLength(0);
    expect((await index.search("albatross"))[0]?.path).toBe("memory/a.md");
    mkdirSync(path.join(dir, "memory/trips"));
    writeFileSync(path.join(dir, "memory/trips/rome.md"), "Rome: albatross-shaped kite.\n");
    expect((await index.search("kite"))[0]?.path).toBe("memory/trips/rome.md");
    rmSync(path.join(dir, "memory/a.md"));
    rmSync(path.join(dir, "memory/trips"), { recursive: true });
    expect(await index.search("albatross")).toHaveLength(0);
    expect(index.status()).toMatchObject({ files: 0, chunks: 0 });
  });

  it("keeps MEMORY.md out of searches for group sessions", async () => {
    const { index } = workspace({ "MEMORY.md": "Bank PIN reminder: the blue notebook.\n" });
    expect(await index.search("blue notebook")).toHaveLength(1);
    expect(await index.search("blue notebook", { includeLongTerm: false })).toHaveLength(0);
  });

  it("rebuilds from the files when the index file is garbage", async () => {
    const root = tempDir();
    const dir = path.join(root, "ws");
    mkdirSync(path.join(dir, "memory"), { recursive: true });
    writeFileSync(path.join(dir, "memory/n.md"), "Otters hold hands while sleeping.\n");
    const db = path.join(root, "memory.sqlite");
    writeFileSync(db, "this is not a database ".repeat(100));
    const index = MemoryIndex.open(dir, db);
    open.push(index);
    expect((await index.search("otters"))[0]?.path).toBe("memory/n.md");
  });

  it("does not follow a symlink out of the workspace", async () => {
    const outside = path.join(tempDir(), "secret.md");
    writeFileSync(outside, "root password is hunter2\n");
    const { dir, index } = workspace({ "memory/ok.md": "nothing here\n" });
    symlinkSync(outside, path.join(dir, "memory/leak.md"));
    expect(await index.search("hunter2")).toHaveLength(0);
  });

  it("compares the files with the index without holding either: touch, rename, restart", () => {
    const { dir, index } = workspace({ "memory/a.md": "Alpha note.\n", "memory/b.md": "Beta note.\n" });
    expect(index.sync()).toEqual({ indexed: 2, removed: 0, unchanged: 0 });
    // Same content, new mtime: the hash matches, nothing is re-indexed.
    utimesSync(path.join(dir, "memory/a.md"), new Date(), new Date(Date.now() + 5_000));
    expect(index.sync()).toEqual({ indexed: 0, removed: 0, unchanged: 2 });
    // A rename is one removal and one addition in the same sync.
    renameSync(path.join(dir, "memory/b.md"), path.join(dir, "memory/c.md"));
    expect(index.sync()).toEqual({ indexed: 1, removed: 1, unchanged: 1 });
    // A restart (a new index on the same file) finds nothing to do.
    const again = MemoryIndex.open(dir, index.dbFile);
    open.push(again);
    expect(again.sync()).toEqual({ indexed: 0, removed: 0, unchanged: 2 });
    expect(again.status()).toMatchObject({ files: 2 });
  });

  it("ranks a short chunk above a long one with the same term count (BM25 length norm)", async () => {
    const filler = "unrelated words about other things ".repeat(30);
    const { index } = workspace({
      "memory/long.md": `The kiwi fact. ${filler}\n`,
      "memory/short.md": "The kiwi fact.\n",
    });
    const hits = await index.search("kiwi");
    expect(hits.map((h) => h.path)).toEqual(["memory/short.md", "memory/long.md"]);
  });
});
