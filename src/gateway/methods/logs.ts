import { open } from "node:fs/promises";
import { z } from "zod";
import { isErrnoCode } from "../../infra/fs.js";
import { redactText } from "../../infra/redact.js";
import { defineMethod } from "./types.js";

const DEFAULT_LIMIT = 500;
const DEFAULT_MAX_BYTES = 250_000;

const params = z
  .strictObject({
    cursor: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(5000).optional(),
    maxBytes: z.number().int().min(1).max(1_000_000).optional(),
  })
  .optional();

export interface LogTail {
  file: string | null;
  cursor: number;
  size: number;
  lines: string[];
  truncated?: boolean;
  reset?: boolean;
}

/**
 * Reads JSON-lines log records from `cursor` (a byte offset returned by the previous
 * call) or, without one, the last `maxBytes`. Only whole lines are returned; the
 * cursor points just past the last one, so polling never splits or repeats a line.
 */
export async function tailLogFile(
  file: string | undefined,
  opts: { cursor?: number; limit?: number; maxBytes?: number },
): Promise<LogTail> {
  if (!file) return { file: null, cursor: 0, size: 0, lines: [] };
  const limit = opts.limit ?? DEFAULT_LIMIT;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (err) {
    if (isErrnoCode(err, "ENOENT")) return { file, cursor: 0, size: 0, lines: [] };
    throw err;
  }
  try {
    const { size } = await handle.stat();
    let start = opts.cursor ?? Math.max(0, size - maxBytes);
    // A cursor past the end means the file was rotated or truncated: start over.
    const reset = opts.cursor !== undefined && opts.cursor > size;
    if (reset) start = 0;
    const length = Math.min(maxBytes, size - start);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, start);
    const lastNewline = buffer.lastIndexOf(0x0a);
    const complete = lastNewline >= 0 ? buffer.subarray(0, lastNewline + 1) : Buffer.alloc(0);
    let lines = complete.toString("utf8").split("\n").filter(Boolean);
    // Starting mid-file (no cursor) may begin inside a line: drop that fragment.
    if (opts.cursor === undefined && start > 0) lines = lines.slice(1);
    const truncated = lines.length > limit || start + length < size;
    if (lines.length > limit) lines = lines.slice(lines.length - limit);
    return {
      file,
      cursor: start + complete.length,
      size,
      // Again at read time: lines written before a secret was known (an earlier run, a
      // rotated token, a hand-written logging.file) must not reach a read-scoped client.
      lines: lines.map((line) => withMessage(redactText(line))),
      ...(truncated ? { truncated } : {}),
      ...(reset ? { reset } : {}),
    };
  } finally {
    await handle.close();
  }
}

/**
 * Our records say `msg`; OpenClaw's log viewer shows `message` (else a row without text),
 * so a record gets both. Lines that are not our JSON records pass unchanged.
 */
function withMessage(line: string): string {
  if (!line.startsWith("{") || line.includes('"message":')) return line;
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    if (typeof record.msg !== "string") return line;
    return JSON.stringify({ ...record, message: record.msg });
  } catch {
    return line;
  }
}

export const logMethods = {
  "logs.tail": defineMethod({
    scope: "operator.read",
    params,
    handle: (p, { gateway }) => tailLogFile(gateway.logFile(), p ?? {}),
  }),
};
