import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "smol-toml";

/** The repository root (the build, fly.toml and Dockerfile live here). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export function readRepoFile(name: string): string {
  return readFileSync(path.join(repoRoot, name), "utf8");
}

/** The parts of fly.toml the Fly.io guide relies on (smol-toml gives plain objects). */
export interface FlyConfig {
  app?: string;
  primary_region?: string;
  build?: { dockerfile?: string };
  env?: Record<string, string>;
  processes?: Record<string, string>;
  http_service?: {
    internal_port?: number;
    force_https?: boolean;
    auto_stop_machines?: boolean | string;
    auto_start_machines?: boolean;
    min_machines_running?: number;
    processes?: string[];
    checks?: { method?: string; path?: string; interval?: string; timeout?: string }[];
  };
  services?: unknown;
  checks?: Record<string, { type?: string; port?: number; path?: string; processes?: string[] }>;
  vm?: { size?: string; memory?: string }[];
  mounts?: { source?: string; destination?: string };
}

export function readFlyConfig(name: "fly.toml" | "fly.private.toml"): FlyConfig {
  return parse(readRepoFile(name)) as FlyConfig;
}

/** Fly runs a process command as an argv split on whitespace (no shell). */
export function splitCommand(command: string): string[] {
  return command.trim().split(/\s+/);
}

export interface DockerInstruction {
  keyword: string;
  args: string;
}

/** A Dockerfile's global instructions (ARGs before the first FROM) and its stages (one per FROM). */
export function parseDockerfile(text: string): {
  global: DockerInstruction[];
  stages: DockerInstruction[][];
} {
  const global: DockerInstruction[] = [];
  const stages: DockerInstruction[][] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    // Comment lines are dropped, also inside a `\`-continued instruction.
    if (line.startsWith("#") || (pending === "" && line === "")) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const match = /^(\S+)\s*(.*)$/.exec((pending + line).trim());
    pending = "";
    if (!match) continue;
    const instruction = { keyword: match[1]!.toUpperCase(), args: match[2]! };
    if (instruction.keyword === "FROM") stages.push([instruction]);
    else (stages.at(-1) ?? global).push(instruction);
  }
  return { global, stages };
}
