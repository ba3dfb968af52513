import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "./deploy-files.js";
import { anchorsOf, checkMarkdownLinks, githubSlug, markdownFilesUnder } from "./markdown-links.js";

describe("README.md and docs/**/*.md", () => {
  const files = [path.join(repoRoot, "README.md"), ...markdownFilesUnder(path.join(repoRoot, "docs"))];

  it("include the deployment docs", () => {
    const names = files.map((f) => path.relative(repoRoot, f));
    expect(names).toEqual(
      expect.arrayContaining([
        "docs/docker.md",
        "docs/gateway.md",
        "docs/platforms/fly.md",
        "docs/platforms/fly.zh-Hans.md",
        "docs/platforms/fly.zh-Hant.md",
        "docs/quickstart.md",
        "docs/quickstart.zh-Hans.md",
        "docs/quickstart.zh-Hant.md",
      ]),
    );
  });

  it("have no broken links", () => {
    expect(checkMarkdownLinks(files, repoRoot)).toEqual([]);
  });
});

describe("the link checker", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "openclaw-links-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };
  write("sub/target.md", "# Fly.io: deploy & run\n\n## Memory\n\n## Memory\n\n## 私有部署\n");

  it.each([
    ["[ok](sub/target.md)", []],
    ["[ok](sub/target.md#flyio-deploy--run)", []],
    ["[ok](sub/target.md#memory-1)", []],
    ["[ok](sub/target.md#私有部署)", []],
    ["[ok](https://fly.io/docs/) and <https://example.com/x>", []],
    ["`[in code](missing.md)`", []],
    ["```\n[in a fence](missing.md)\n```", []],
    ["[missing file](sub/nope.md)", ["sub/nope.md does not exist"]],
    ["[missing anchor](sub/target.md#cpu)", ["no heading #cpu in sub/target.md"]],
    ["[same page](#nowhere)\n# Here", ["no heading #nowhere in page.md"]],
    ["[ref]: ./sub/none.md", ["sub/none.md does not exist"]],
    ["[bad url](http://[broken/x)", ["not a valid URL"]],
    ["[no domain](http://localhost:3000/)", ["host has no domain"]],
  ])("%s → %j", (markdown, expected) => {
    const page = write("page.md", `${markdown}\n`);
    expect(checkMarkdownLinks([page], dir).map((p) => p.problem)).toEqual(expected);
  });

  it("slugs headings like GitHub", () => {
    expect(githubSlug("`gateway.auth.rateLimit` keys")).toBe("gatewayauthratelimit-keys");
    expect(githubSlug("SIGTERM (shutdown)")).toBe("sigterm-shutdown");
    expect([...anchorsOf("# A\n# A\n```\n# not a heading\n```\n")]).toEqual(["a", "a-1"]);
  });
});
