import type { Command } from "commander";
import type { AgentKnowledge } from "../agents/knowledge.js";
import type { SkillStatus } from "../skills/index.js";

/**
 * `openclaw memory …` and `openclaw skills …`: like OpenClaw's, they work on the files
 * and the index directly, with or without a running gateway (the index is SQLite in
 * WAL mode, so both can use it at once).
 */
interface Local {
  knowledge: AgentKnowledge;
  agent: { id: string; workspace: string };
}

async function openLocal(agentId: string | undefined): Promise<Local> {
  const { loadConfig } = await import("../config/load.js");
  const { resolveConfigPath, resolveStateDir } = await import("../config/paths.js");
  const { resolveAgent } = await import("../agents/agent-config.js");
  const { resolveDefaultAgentId } = await import("../routing/bindings.js");
  const { AgentKnowledge } = await import("../agents/knowledge.js");
  const stateDir = resolveStateDir();
  const { config } = await loadConfig(resolveConfigPath(process.env, stateDir));
  const agent = resolveAgent(config, agentId ?? resolveDefaultAgentId(config.agents?.list), stateDir);
  return { knowledge: new AgentKnowledge({ stateDir, config: () => config }), agent };
}

/** Runs a command body, printing a failure as one line and setting the exit code. */
async function run(body: () => Promise<number | undefined>): Promise<void> {
  try {
    process.exitCode = (await body()) ?? 0;
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

const print = (json: boolean | undefined, value: unknown, human: () => string) =>
  process.stdout.write(`${json ? JSON.stringify(value, null, 2) : human()}\n`);

type MemoryIndex = NonNullable<ReturnType<AgentKnowledge["memory"]>>;

/** Opens the agent's memory index for one command body, and closes it however the body ends. */
async function withMemoryIndex(
  agentId: string | undefined,
  body: (index: MemoryIndex, local: Local) => Promise<void> | void,
): Promise<number> {
  const local = await openLocal(agentId);
  try {
    const index = local.knowledge.memory(local.agent);
    if (!index) throw new Error("memory search is off (agents.defaults.memorySearch.enabled is false)");
    await body(index, local);
    return 0;
  } finally {
    local.knowledge.close();
  }
}

export function registerMemoryCommands(program: Command): void {
  const memory = program.command("memory").description("search and index the agent's memory files");
  memory
    .command("status")
    .description("show the memory index: files, chunks, search mode")
    .option("--agent <id>", "agent id (default: the default agent)")
    .option("--json", "print JSON")
    .action((flags: { agent?: string; json?: boolean }) =>
      run(() =>
        withMemoryIndex(flags.agent, (index, local) => {
          const sync = index.sync();
          const status = {
            agentId: local.agent.id,
            ...index.status(),
            mode: index.mode(),
            dirty: false,
            sync,
          };
          print(flags.json, status, () =>
            [
              `agent     ${status.agentId}`,
              `workspace ${status.workspace}`,
              `index     ${status.dbPath}`,
              `files     ${status.files} (${status.chunks} chunks, ${status.terms} terms)`,
              `search    ${status.mode} (embedding provider: ${status.provider})`,
            ].join("\n"),
          );
        }),
      ),
    );
  memory
    .command("index")
    .description("bring the index up to date with the files (--force: re-read every file)")
    .option("--agent <id>", "agent id (default: the default agent)")
    .option("--force", "re-index every file")
    .option("--json", "print JSON")
    .action((flags: { agent?: string; force?: boolean; json?: boolean }) =>
      run(() =>
        withMemoryIndex(flags.agent, (index) => {
          const started = performance.now();
          const report = index.sync({ force: flags.force });
          const ms = Math.round(performance.now() - started);
          print(
            flags.json,
            { ...report, ms },
            () =>
              `indexed ${report.indexed}, removed ${report.removed}, unchanged ${report.unchanged} (${ms} ms)`,
          );
        }),
      ),
    );
  memory
    .command("search <query>")
    .description("search MEMORY.md and memory/*.md")
    .option("--agent <id>", "agent id (default: the default agent)")
    .option("--max-results <n>", "at most this many results", (v) => Number.parseInt(v, 10))
    .option("--min-score <x>", "drop results scoring below this (0..1)", Number.parseFloat)
    .option("--json", "print JSON")
    .action(
      (query: string, flags: { agent?: string; maxResults?: number; minScore?: number; json?: boolean }) =>
        run(() =>
          withMemoryIndex(flags.agent, async (index) => {
            const results = await index.search(query, {
              maxResults: flags.maxResults,
              minScore: flags.minScore,
            });
            print(flags.json, { results, provider: index.provider(), mode: index.mode() }, () =>
              results.length === 0
                ? "no matches"
                : results
                    .map(
                      (r) =>
                        `${r.path}:${r.startLine}-${r.endLine}  score ${r.score}\n  ${r.snippet.replace(/\s+/g, " ").slice(0, 160)}`,
                    )
                    .join("\n"),
            );
          }),
        ),
    );
}

function why(skill: SkillStatus): string {
  if (skill.disabled) return "disabled in skills.entries";
  const parts = Object.entries(skill.missing)
    .filter(([, list]) => list.length > 0)
    .map(([kind, list]) => `missing ${kind}: ${list.join(", ")}`);
  return parts.join("; ");
}

export function registerSkillsCommands(program: Command): void {
  const skills = program.command("skills").description("list and check SKILL.md skills");
  skills
    .command("list")
    .description("list skills (eligible ones are offered to the model)")
    .option("--agent <id>", "agent id (default: the default agent)")
    .option("--eligible", "only the eligible skills")
    .option("--verbose", "show each skill's path and its cost in the system prompt")
    .option("--json", "print JSON")
    .action((flags: { agent?: string; eligible?: boolean; verbose?: boolean; json?: boolean }) =>
      run(async () => {
        const local = await openLocal(flags.agent);
        const report = await local.knowledge.skillsReport(local.agent);
        const { skillPromptEntry } = await import("../skills/index.js");
        const list = report.skills
          .filter((s) => !flags.eligible || s.eligible)
          .map((s) => ({
            ...s,
            promptChars: s.eligible ? skillPromptEntry(s, local.agent.workspace).length : 0,
          }));
        print(flags.json, { ...report, skills: list }, () =>
          list.length === 0
            ? "no skills found"
            : list
                .map((s) => {
                  const head = `${s.eligible ? "✓" : "✗"} ${s.name.padEnd(24)} ${s.description.slice(0, 70)}`;
                  return flags.verbose
                    ? `${head}\n    ${s.source} ${s.filePath}; ${s.promptChars} prompt characters`
                    : head;
                })
                .join("\n"),
        );
        return 0;
      }),
    );
  skills
    .command("info <name>")
    .description("show one skill")
    .option("--agent <id>", "agent id (default: the default agent)")
    .option("--json", "print JSON")
    .action((name: string, flags: { agent?: string; json?: boolean }) =>
      run(async () => {
        const local = await openLocal(flags.agent);
        const report = await local.knowledge.skillsReport(local.agent);
        const skill = report.skills.find((s) => s.name === name || s.skillKey === name);
        if (!skill) {
          process.stderr.write(`error: no skill named ${name}; \`openclaw skills list\` shows them\n`);
          return 1;
        }
        print(flags.json, skill, () =>
          [
            `${skill.emoji ?? ""}${skill.emoji ? " " : ""}${skill.name} (${skill.source})`,
            skill.description,
            `file      ${skill.filePath}`,
            `eligible  ${skill.eligible ? "yes" : `no (${why(skill)})`}`,
            ...(skill.primaryEnv ? [`primaryEnv ${skill.primaryEnv}`] : []),
            ...(skill.homepage ? [`homepage  ${skill.homepage}`] : []),
          ].join("\n"),
        );
        return 0;
      }),
    );
  skills
    .command("check")
    .description("say which skills are ready and why the others are not")
    .option("--agent <id>", "agent id (default: the default agent)")
    .option("--json", "print JSON")
    .action((flags: { agent?: string; json?: boolean }) =>
      run(async () => {
        const local = await openLocal(flags.agent);
        const report = await local.knowledge.skillsReport(local.agent);
        const eligible = report.skills.filter((s) => s.eligible).map((s) => s.name);
        const blocked = report.skills
          .filter((s) => !s.eligible)
          .map((s) => ({ name: s.name, reason: why(s) }));
        const summary = { eligible, blocked, problems: report.problems };
        print(flags.json, summary, () =>
          [
            `eligible: ${eligible.length ? eligible.join(", ") : "none"}`,
            ...blocked.map((b) => `not eligible: ${b.name}: ${b.reason}`),
            ...report.problems.map((p) => `skipped ${p.filePath}: ${p.error}`),
          ].join("\n"),
        );
        return 0;
      }),
    );
}
