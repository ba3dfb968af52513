import { chmodSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/cli.js";
import { GATE_RECHECK_MS, type SkillProblem, SkillsLoader, skillEnv, skillsPrompt } from "./index.js";

function skill(dir: string, name: string, frontmatter: string, body = "Do the thing.\n"): string {
  const file = path.join(dir, name, "SKILL.md");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `---\n${frontmatter}\n---\n${body}`);
  return file;
}

function setup() {
  const root = tempDir();
  const workspace = path.join(root, "workspace");
  const managedDir = path.join(root, "state", "skills");
  const extraDir = path.join(root, "extra");
  const bin = path.join(root, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, "jqlite"), "#!/bin/sh\n");
  chmodSync(path.join(bin, "jqlite"), 0o755);
  const problems: SkillProblem[] = [];
  const loader = new SkillsLoader({ onProblem: (p) => problems.push(p) });
  const ctx = { workspace, managedDir, config: { load: { extraDirs: [extraDir] } }, env: { PATH: bin } };
  return { root, workspace, managedDir, extraDir, loader, problems, ctx };
}

describe("skills", () => {
  it("takes a name from the workspace over managed over extraDirs", async () => {
    const { workspace, managedDir, extraDir, loader, ctx } = setup();
    skill(extraDir, "weather", "name: weather\ndescription: from extra");
    skill(managedDir, "weather", "name: weather\ndescription: from managed");
    skill(extraDir, "notes", "name: notes\ndescription: only in extra");
    let report = await loader.report(ctx);
    expect(report.skills.map((s) => [s.name, s.description, s.source])).toEqual([
      ["notes", "only in extra", "openclaw-extra"],
      ["weather", "from managed", "openclaw-managed"],
    ]);
    skill(path.join(workspace, "skills"), "weather", "name: weather\ndescription: from workspace");
    report = await loader.report(ctx);
    expect(report.skills.find((s) => s.name === "weather")?.source).toBe("openclaw-workspace");
  });

  it("gates on bins, anyBins, env, config and os, and says what is missing", async () => {
    const { managedDir, loader, ctx } = setup();
    const meta = (req: string) => `description: d\nmetadata: {"openclaw": ${req}}`;
    skill(managedDir, "has-bin", meta(`{"requires": {"bins": ["jqlite"]}}`));
    skill(managedDir, "no-bin", meta(`{"requires": {"bins": ["jqlite", "nope-not-here"]}}`));
    skill(managedDir, "any-bin", meta(`{"requires": {"anyBins": ["nope", "jqlite"]}}`));
    skill(
      managedDir,
      "needs-env",
      meta(`{"requires": {"env": ["WEATHER_KEY"]}, "primaryEnv": "WEATHER_KEY"}`),
    );
    skill(managedDir, "needs-config", meta(`{"requires": {"config": ["browser.enabled"]}}`));
    skill(managedDir, "other-os", meta(`{"os": ["plan9"]}`));
    skill(managedDir, "always-on", meta(`{"always": true, "requires": {"bins": ["nope"]}}`));
    const report = await loader.report({ ...ctx, rootConfig: { browser: { enabled: false } } });
    const by = Object.fromEntries(report.skills.map((s) => [s.name, s]));
    expect(by["has-bin"]!.eligible).toBe(true);
    expect(by["no-bin"]).toMatchObject({ eligible: false, missing: { bins: ["nope-not-here"] } });
    expect(by["any-bin"]!.eligible).toBe(true);
    expect(by["needs-env"]).toMatchObject({ eligible: false, missing: { env: ["WEATHER_KEY"] } });
    expect(by["needs-config"]).toMatchObject({ eligible: false, missing: { config: ["browser.enabled"] } });
    expect(by["other-os"]).toMatchObject({ eligible: false, missing: { os: ["plan9"] } });
    expect(by["always-on"]!.eligible).toBe(true);
    // An apiKey in skills.entries satisfies the primaryEnv requirement; enabled: false turns a skill off.
    const configured = await loader.report({
      ...ctx,
      config: { entries: { "needs-env": { apiKey: "k-123" }, "has-bin": { enabled: false } } },
    });
    const after = Object.fromEntries(configured.skills.map((s) => [s.name, s]));
    expect(after["needs-env"]!.eligible).toBe(true);
    expect(after["has-bin"]).toMatchObject({ eligible: false, disabled: true });
    expect(
      skillEnv(after["needs-env"]!, { entries: { "needs-env": { apiKey: "k-123", env: { A: "1" } } } }),
    ).toEqual({ A: "1", WEATHER_KEY: "k-123" });
  });

  it.each([
    ["no frontmatter", "# Just a heading\n", "has no YAML frontmatter"],
    ["broken YAML", "---\ndescription: [unclosed\n---\nbody", "invalid YAML frontmatter"],
    ["no description", "---\nname: x\n---\nbody", "frontmatter description"],
    [
      "bad metadata",
      '---\ndescription: d\nmetadata: {"openclaw": {"requires": {"bins": "jq"}}}\n---\n',
      "requires.bins",
    ],
  ])("skips a SKILL.md with %s, logging the file and the problem once", async (_case, source, problem) => {
    const { managedDir, loader, problems, ctx } = setup();
    skill(managedDir, "good", "description: fine");
    const bad = path.join(managedDir, "bad", "SKILL.md");
    mkdirSync(path.dirname(bad), { recursive: true });
    writeFileSync(bad, source);
    const report = await loader.report(ctx);
    expect(report.skills.map((s) => s.name)).toEqual(["good"]);
    expect(report.problems).toEqual([{ filePath: bad, error: expect.stringContaining(problem) }]);
    await loader.report(ctx);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.filePath).toBe(bad);
  });

  it("picks up an added and an edited SKILL.md on the next scan", async () => {
    const { workspace, loader, ctx } = setup();
    expect((await loader.report(ctx)).skills).toEqual([]);
    const file = skill(path.join(workspace, "skills"), "greet", "description: first version");
    expect((await loader.report(ctx)).skills[0]?.description).toBe("first version");
    writeFileSync(file, "---\ndescription: second version, edited\n---\n");
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect((await loader.report(ctx)).skills[0]?.description).toBe("second version, edited");
  });

  it("lists eligible skills in the prompt with a bounded description and escaped text", async () => {
    const { workspace, managedDir, loader, ctx } = setup();
    skill(path.join(workspace, "skills"), "long", `description: "<b>${"x".repeat(1_000)}"`);
    skill(
      managedDir,
      "gated",
      'description: hidden\nmetadata: {"openclaw": {"requires": {"env": ["NOPE"]}}}',
    );
    const report = await loader.report(ctx);
    const prompt = skillsPrompt(report.skills, workspace);
    expect(prompt).toContain("<name>long</name><description>&lt;b&gt;xxx");
    expect(prompt).toContain("<location>skills/long/SKILL.md</location>");
    expect(prompt).not.toContain("gated");
    expect(prompt.length).toBeLessThan(800);
  });

  it("reuses the gated list until a SKILL.md or the config changes, and re-checks PATH after GATE_RECHECK_MS", async () => {
    const { workspace, ctx, root } = setup();
    let now = 1_000;
    const loader = new SkillsLoader({ now: () => now });
    const skills = path.join(workspace, "skills");
    skill(skills, "fmt", 'description: d\nmetadata: {"openclaw": {"requires": {"bins": ["fmtlite"]}}}');
    const first = await loader.report(ctx);
    expect(first.skills[0]).toMatchObject({ eligible: false, missing: { bins: ["fmtlite"] } });
    expect(await loader.report(ctx)).toBe(first);
    // Installed while running: not looked up again on every turn…
    const bin = path.join(root, "bin", "fmtlite");
    writeFileSync(bin, "#!/bin/sh\n");
    chmodSync(bin, 0o755);
    now += GATE_RECHECK_MS - 1;
    expect(await loader.report(ctx)).toBe(first);
    // …but within GATE_RECHECK_MS.
    now += 1;
    const later = await loader.report(ctx);
    expect(later.skills[0]!.eligible).toBe(true);
    // A config reload (a new config object) and an added skill are seen at once.
    const disabled = await loader.report({
      ...ctx,
      config: { ...ctx.config, entries: { fmt: { enabled: false } } },
    });
    expect(disabled.skills[0]).toMatchObject({ eligible: false, disabled: true });
    skill(skills, "more", "description: another");
    expect((await loader.report(ctx)).skills.map((s) => s.name)).toEqual(["fmt", "more"]);
  });

  it("keeps parsed frontmatter on disk: a restart parses only what changed, and ignores a cache it did not write", async () => {
    const { workspace, ctx, root } = setup();
    const cacheFile = path.join(root, "state", "cache", "skills.json");
    const file = skill(path.join(workspace, "skills"), "greet", "description: from the file");
    const bad = skill(path.join(workspace, "skills"), "bad", "description: [oops");
    await new SkillsLoader({ cacheFile }).report(ctx);
    // What the next process reads is the cache, not the file: change the cached text to see it.
    const cached = JSON.parse(readFileSync(cacheFile, "utf8"));
    expect(cached.entries[bad].error).toContain("invalid YAML frontmatter");
    cached.entries[file].parsed.description = "from the cache";
    writeFileSync(cacheFile, JSON.stringify(cached));
    const problems: SkillProblem[] = [];
    const restarted = new SkillsLoader({ cacheFile, onProblem: (p) => problems.push(p) });
    expect((await restarted.report(ctx)).skills[0]?.description).toBe("from the cache");
    expect(problems.map((p) => p.filePath)).toEqual([bad]); // still logged once by the new process
    // An edited SKILL.md is parsed again.
    writeFileSync(file, "---\ndescription: edited\n---\n");
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect((await restarted.report(ctx)).skills[0]?.description).toBe("edited");
    // A cache of another shape is ignored, not trusted.
    writeFileSync(
      cacheFile,
      JSON.stringify({ version: 1, entries: { [file]: { signature: "x", parsed: { description: 7 } } } }),
    );
    expect((await new SkillsLoader({ cacheFile }).report(ctx)).skills[0]?.description).toBe("edited");
  });
});
