import { realpath } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { openConfined, resolveInWorkspace } from "./confine.js";
import { defineTool, ToolRefusal, text } from "./types.js";

/** Files larger than this are read in part (offset/limit) so one call cannot flood the context. */
const MAX_READ_BYTES = 256 * 1024;
const MAX_WRITE_BYTES = 5 * 1024 * 1024;

async function readConfined(file: string, maxBytes: number): Promise<{ text: string; size: number }> {
  const handle = await openConfined(file, "read");
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.min(size, maxBytes));
    await handle.read(buffer, 0, buffer.length, 0);
    return { text: buffer.toString("utf8"), size };
  } finally {
    await handle.close();
  }
}

async function writeConfined(file: string, content: string): Promise<void> {
  if (Buffer.byteLength(content) > MAX_WRITE_BYTES)
    throw new ToolRefusal(`content over ${MAX_WRITE_BYTES} bytes`);
  const handle = await openConfined(file, "write");
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

export const readTool = defineTool({
  name: "read",
  group: "fs",
  description:
    "Read a text file in the workspace (or a listed skill's SKILL.md and files beside it). Optional 1-based line offset and line limit for large files.",
  params: z.strictObject({
    path: z.string().describe("path relative to the workspace"),
    offset: z.number().int().min(1).optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  }),
  async execute({ path: p, offset, limit }, ctx) {
    const file =
      (await resolveInSkill(p, ctx.skills?.dirs() ?? [])) ?? (await resolveInWorkspace(ctx.workspace, p));
    const { text: body, size } = await readConfined(file, MAX_READ_BYTES);
    let lines = body.split("\n");
    const start = (offset ?? 1) - 1;
    lines = lines.slice(start, limit ? start + limit : undefined);
    const note =
      size > MAX_READ_BYTES
        ? `\n[file is ${size} bytes; showed the first ${MAX_READ_BYTES}: use offset/limit]`
        : "";
    return text(lines.join("\n") + note);
  },
});

/**
 * An absolute path inside an eligible skill's folder (skills may live outside the
 * workspace: `<state>/skills`, `skills.load.extraDirs`), resolved through symlinks;
 * undefined for anything else, which then goes through the workspace confinement.
 * Read-only: write and edit stay confined to the workspace.
 */
async function resolveInSkill(p: string, dirs: readonly string[]): Promise<string | undefined> {
  if (!path.isAbsolute(p) || dirs.length === 0) return undefined;
  const real = await realpath(p).catch(() => undefined);
  if (!real) return undefined;
  return dirs.some((dir) => real.startsWith(dir + path.sep)) ? real : undefined;
}

export const writeTool = defineTool({
  name: "write",
  group: "fs",
  description: "Create or overwrite a text file in the workspace.",
  params: z.strictObject({ path: z.string(), content: z.string() }),
  async execute({ path: p, content }, ctx) {
    const file = await resolveInWorkspace(ctx.workspace, p);
    await writeConfined(file, content);
    return text(`wrote ${Buffer.byteLength(content)} bytes to ${p}`);
  },
});

export const editTool = defineTool({
  name: "edit",
  group: "fs",
  description: "Replace one exact occurrence of oldText with newText in a workspace file.",
  params: z.strictObject({ path: z.string(), oldText: z.string().min(1), newText: z.string() }),
  async execute({ path: p, oldText, newText }, ctx) {
    const file = await resolveInWorkspace(ctx.workspace, p);
    const { text: body, size } = await readConfined(file, MAX_WRITE_BYTES);
    if (size > MAX_WRITE_BYTES) throw new ToolRefusal(`${p} is too large to edit (${size} bytes)`);
    const first = body.indexOf(oldText);
    if (first < 0) throw new ToolRefusal(`oldText not found in ${p}`);
    if (body.indexOf(oldText, first + 1) >= 0)
      throw new ToolRefusal(`oldText occurs more than once in ${p}; include more context`);
    await writeConfined(file, body.slice(0, first) + newText + body.slice(first + oldText.length));
    return text(`edited ${p}`);
  },
});
