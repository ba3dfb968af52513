import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { isLongTermMemory, isMemoryPath, MAX_RESULTS_CAP } from "../../memory/index.js";
import { sessionTypeOf } from "../../sessions/reset.js";
import { openConfined, resolveInWorkspace } from "./confine.js";
import { defineTool, ToolRefusal, text } from "./types.js";

/** memory_get returns at most this many lines per call (OpenClaw's tool reads in slices too). */
export const MEMORY_GET_MAX_LINES = 400;

/** Group chats (and their threads) never see MEMORY.md, the owner's private memory. */
const isPrivateSession = (sessionKey: string) => sessionTypeOf(sessionKey) === "direct";

export const memorySearchTool = defineTool({
  name: "memory_search",
  group: "memory",
  description:
    "Search MEMORY.md and memory/*.md (your notes) before answering about past work, decisions, dates, people, " +
    "preferences or todos. Returns ranked snippets with path and line range; use memory_get for more lines.",
  params: z.strictObject({
    query: z.string().min(1).max(1_000),
    maxResults: z.number().int().min(1).max(MAX_RESULTS_CAP).optional(),
    minScore: z.number().min(0).max(1).optional(),
  }),
  async execute({ query, maxResults, minScore }, ctx) {
    const index = ctx.memory?.();
    if (!index) throw new ToolRefusal("memory search is not available for this agent");
    const results = await index.search(query, {
      maxResults,
      minScore,
      includeLongTerm: isPrivateSession(ctx.sessionKey),
    });
    return text(JSON.stringify({ results, provider: index.provider(), mode: index.mode() }, null, 2));
  },
});

export const memoryGetTool = defineTool({
  name: "memory_get",
  group: "memory",
  description:
    "Read lines of a memory file (MEMORY.md or memory/*.md): path as memory_search gave it, optional 1-based from and lines.",
  params: z.strictObject({
    path: z.string().min(1).max(512),
    from: z.number().int().min(1).optional(),
    lines: z.number().int().min(1).max(MEMORY_GET_MAX_LINES).optional(),
  }),
  async execute({ path: rel, from, lines }, ctx) {
    const norm = path.posix.normalize(rel.replaceAll("\\", "/"));
    if (!isMemoryPath(norm)) throw new ToolRefusal(`${rel} is not a memory file (MEMORY.md or memory/*.md)`);
    if (isLongTermMemory(norm) && !isPrivateSession(ctx.sessionKey))
      throw new ToolRefusal("MEMORY.md is private to the owner's direct sessions");
    const file = await resolveInWorkspace(ctx.workspace, norm);
    // The symlink-safe open, then read through the handle (no second path lookup).
    const handle = await openConfined(file, "read");
    let body: string;
    try {
      body = await readFile(handle, "utf8");
    } finally {
      await handle.close();
    }
    const all = body.split("\n");
    const start = (from ?? 1) - 1;
    const slice = all.slice(start, start + (lines ?? MEMORY_GET_MAX_LINES));
    const more = start + slice.length < all.length ? `\n[${all.length} lines in all]` : "";
    return text(JSON.stringify({ path: norm, from: start + 1, text: slice.join("\n") }) + more);
  },
});
