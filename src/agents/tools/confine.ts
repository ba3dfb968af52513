import { constants } from "node:fs";
import { lstat, mkdir, open, realpath } from "node:fs/promises";
import path from "node:path";
import { isErrnoCode } from "../../infra/fs.js";
import { ToolRefusal } from "./types.js";

/**
 * Resolves a path a model gave to a real location inside the workspace, or refuses.
 * Relative paths are taken from the workspace; `..` that leaves it, absolute paths
 * outside it, and symlinks (anywhere on the path) that lead outside it are refused.
 * The deepest existing ancestor is resolved with realpath, so a new file's parent
 * is checked too.
 */
export async function resolveInWorkspace(workspace: string, userPath: string): Promise<string> {
  if (typeof userPath !== "string" || userPath.trim() === "") throw new ToolRefusal("path is empty");
  if (userPath.includes("\0")) throw new ToolRefusal("path contains a NUL byte");
  const root = await realpath(workspace);
  const candidate = path.resolve(root, userPath);
  if (!isInside(root, candidate)) throw new ToolRefusal(`${userPath} is outside the workspace`);
  // Walk up to the deepest part of the path that exists and resolve its symlinks.
  let existing = candidate;
  let rest = "";
  for (;;) {
    try {
      const real = await realpath(existing);
      const resolved = rest ? path.join(real, rest) : real;
      if (!isInside(root, resolved))
        throw new ToolRefusal(`${userPath} leads outside the workspace (through a symlink)`);
      return resolved;
    } catch (err) {
      if (err instanceof ToolRefusal) throw err;
      if (!isErrnoCode(err, "ENOENT") && !isErrnoCode(err, "ENOTDIR")) throw err;
      // A dangling symlink: refuse rather than let a write create its target elsewhere.
      const stat = await lstat(existing).catch(() => undefined);
      if (stat?.isSymbolicLink()) throw new ToolRefusal(`${userPath} is a symlink to a missing target`);
      rest = rest ? path.join(path.basename(existing), rest) : path.basename(existing);
      existing = path.dirname(existing);
    }
  }
}

function isInside(root: string, p: string): boolean {
  return p === root || p.startsWith(root + path.sep);
}

/** Opens a confined file without following a symlink at the last step (closes the check-then-open race there). */
export async function openConfined(file: string, flags: "read" | "write") {
  const mode =
    flags === "read"
      ? constants.O_RDONLY | constants.O_NOFOLLOW
      : constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;
  if (flags === "write") await mkdir(path.dirname(file), { recursive: true });
  try {
    return await open(file, mode, 0o644);
  } catch (err) {
    if (isErrnoCode(err, "ELOOP")) throw new ToolRefusal("refusing to follow a symlink");
    if (isErrnoCode(err, "ENOENT")) throw new ToolRefusal(`no such file: ${path.basename(file)}`);
    if (isErrnoCode(err, "EISDIR")) throw new ToolRefusal(`${path.basename(file)} is a directory`);
    throw err;
  }
}
