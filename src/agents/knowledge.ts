import path from "node:path";
import { createLogger } from "../infra/logger.js";
import { registerSecret } from "../infra/secrets.js";
import { MemoryIndex, type MemorySearchSettings, resolveEmbeddingProvider } from "../memory/index.js";
import {
  realSkillDir,
  type SkillsConfig,
  SkillsLoader,
  type SkillsReport,
  skillEnv,
  skillsPrompt,
} from "../skills/index.js";
import type { ResolvedAgent } from "./agent-config.js";
import type { SkillAccess } from "./tools/types.js";

const log = createLogger("agent");
const skillLog = createLogger("skills");

/** The config an agent's memory and skills read (the full config satisfies it). */
export interface KnowledgeConfig {
  agents?: {
    defaults?: {
      memorySearch?: MemorySearchSettings;
      compaction?: {
        memoryFlush?: import("./memory-flush.js").MemoryFlushSettings;
        reserveTokensFloor?: number;
      };
    };
  };
  skills?: SkillsConfig;
  models?: { providers?: Record<string, { apiKey?: string; baseUrl?: string } | undefined> };
}

/** `<state>/memory/<agentId>.sqlite`: OpenClaw's place for an agent's memory index. */
export function memoryIndexPath(stateDir: string, agentId: string): string {
  return path.join(stateDir, "memory", `${agentId}.sqlite`);
}

/** `<state>/cache/skills.json`: parsed SKILL.md frontmatter, so a restart does not parse unchanged skills. */
export const skillsCachePath = (stateDir: string) => path.join(stateDir, "cache", "skills.json");

/** `<state>/skills`: managed skills (OpenClaw's `~/.openclaw/skills`). */
export const managedSkillsDir = (stateDir: string) => path.join(stateDir, "skills");

/**
 * Each agent's memory index (opened on first use) and the skills scan, for the runtime
 * and the RPC methods. Both are re-read from the files on use: nothing to reload.
 */
export class AgentKnowledge {
  private readonly indexes = new Map<string, { index: MemoryIndex; signature: string }>();
  private readonly skills: SkillsLoader;
  private lastTurn: { report: SkillsReport; workspace: string; prompt: string; dirs: string[] } | undefined;

  /** `watch`: follow memory folders with inotify (the long-running gateway; not the one-shot CLI). */
  constructor(private readonly opts: { stateDir: string; config: () => KnowledgeConfig; watch?: boolean }) {
    this.skills = new SkillsLoader({
      onProblem: (p) => skillLog.warn(`skipping skill ${p.filePath}: ${p.error}`),
      cacheFile: skillsCachePath(opts.stateDir),
    });
  }

  memoryEnabled(): boolean {
    return this.opts.config().agents?.defaults?.memorySearch?.enabled !== false;
  }

  /**
   * The agent's memory index, or undefined when `memorySearch.enabled` is false. Opened
   * again when the workspace or the search settings change (a config reload).
   */
  memory(agent: Pick<ResolvedAgent, "id" | "workspace">): MemoryIndex | undefined {
    if (!this.memoryEnabled()) return undefined;
    const config = this.opts.config();
    const settings = config.agents?.defaults?.memorySearch;
    const embeddings = resolveEmbeddingProvider(settings, { providers: config.models?.providers });
    const hybrid = { ...settings?.query?.hybrid, minScore: settings?.query?.minScore };
    const signature = JSON.stringify([
      agent.workspace,
      embeddings?.id,
      embeddings?.model,
      settings?.remote?.baseUrl,
      hybrid,
      settings?.query?.maxResults,
    ]);
    const open = this.indexes.get(agent.id);
    if (open?.signature === signature) return open.index;
    open?.index.close();
    const index = MemoryIndex.open(agent.workspace, memoryIndexPath(this.opts.stateDir, agent.id), {
      watch: this.opts.watch === true,
      embeddings,
      hybrid: settings?.query?.hybrid?.enabled === false ? { vectorWeight: 1, textWeight: 0 } : hybrid,
      ...(settings?.query?.maxResults ? { maxResults: settings.query.maxResults } : {}),
      onFallback: (why) => log.warn(`memory search used keywords only: ${why}`),
    });
    this.indexes.set(agent.id, { index, signature });
    log.debug(`memory index for ${agent.id} at ${index.dbFile} (${index.mode()})`);
    return index;
  }

  async skillsReport(agent: Pick<ResolvedAgent, "workspace">): Promise<SkillsReport> {
    const config = this.opts.config();
    return this.skills.report({
      workspace: agent.workspace,
      managedDir: managedSkillsDir(this.opts.stateDir),
      config: config.skills,
      rootConfig: config,
    });
  }

  /** The skills prompt section and what the tools may do with skills, for one turn. */
  async skillsForTurn(
    agent: Pick<ResolvedAgent, "workspace">,
  ): Promise<{ prompt: string; access: SkillAccess }> {
    const report = await this.skillsReport(agent);
    const config = this.opts.config().skills;
    const eligible = report.skills.filter((s) => s.eligible);
    // The loader hands back the same report while nothing changed: so are the prompt and the dirs.
    let turn = this.lastTurn;
    if (turn?.report !== report || turn.workspace !== agent.workspace) {
      turn = {
        report,
        workspace: agent.workspace,
        prompt: skillsPrompt(report.skills, agent.workspace),
        dirs: eligible.map(realSkillDir).filter((d): d is string => d !== undefined),
      };
      this.lastTurn = turn;
    }
    const { dirs } = turn;
    const access: SkillAccess = {
      dirs: () => dirs,
      env: (name) => {
        const skill = eligible.find((s) => s.name === name || s.skillKey === name);
        if (!skill) return undefined;
        const env = skillEnv(skill, config);
        // Masked if a value ever reaches a log line or an error message.
        for (const value of Object.values(env)) registerSecret(value);
        return env;
      },
    };
    return { prompt: turn.prompt, access };
  }

  close(): void {
    for (const { index } of this.indexes.values()) index.close();
    this.indexes.clear();
  }
}
