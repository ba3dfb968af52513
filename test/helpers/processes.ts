import { readdir, readFile } from "node:fs/promises";

/**
 * Pids of live processes whose command line has `--marker=<marker>` (the fake MCP
 * server's tag), read from the process table (/proc). Zombies do not count: they
 * have exited and only wait for their parent to reap them.
 */
export async function processesWithMarker(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8");
      if (!cmdline.split("\0").includes(`--marker=${marker}`)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
