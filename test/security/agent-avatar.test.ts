/**
 * `agent.identity.get` is readable by any operator.read client and its avatar is shown
 * as an <img>: an avatar setting (in the config or in IDENTITY.md, which the agent can
 * write) must not turn it into a file reader or a script carrier. Each case below sets
 * such an avatar, with a real secret file beside the workspace, and checks that the
 * answer carries neither the file's bytes nor the markup.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveAssistantIdentity } from "../../src/agents/identity.js";
import { tempDir } from "../helpers/cli.js";

const SECRET = "sk-live-avatar-secret-0123456789";

describe("security: agent avatars", () => {
  it("a path, a file URL, a remote URL or an SVG as avatar is never read or passed on", () => {
    const root = tempDir();
    const ws = path.join(root, "workspace");
    mkdirSync(ws);
    writeFileSync(path.join(root, "secret.png"), SECRET);
    writeFileSync(path.join(ws, "inside.png"), SECRET);
    const svg = `data:image/svg+xml;base64,${Buffer.from("<svg onload=alert(1)></svg>").toString("base64")}`;
    const attempts = [
      "../secret.png",
      path.join(root, "secret.png"),
      "inside.png",
      "file:///etc/passwd",
      "https://attacker.example/track.png",
      svg,
    ];
    for (const avatar of attempts) {
      const fromConfig = resolveAssistantIdentity("main", { avatar }, ws);
      writeFileSync(path.join(ws, "IDENTITY.md"), `Name: Bo\nAvatar: ${avatar}\n`);
      const fromFile = resolveAssistantIdentity("main", {}, ws);
      for (const identity of [fromConfig, fromFile]) {
        const answer = JSON.stringify(identity);
        expect(answer).not.toContain(Buffer.from(SECRET).toString("base64").slice(0, 16));
        expect(answer).not.toContain(SECRET);
        expect(answer).not.toContain("svg");
        expect(answer).not.toContain("attacker");
        expect(identity.avatarStatus).toBe("none");
        expect(identity.avatar).toMatch(/^[A-Z]$/);
      }
    }
  });
});
