import { describe, expect, it } from "vitest";
import { resolveChannelToken } from "./env-keys.js";
import { parseConfigText } from "./load.js";

describe("credentials: env wins over the file", () => {
  const config = parseConfigText(
    "openclaw.json",
    JSON.stringify({
      channels: {
        discord: { token: "file-token", accounts: { work: { token: "work-token" } } },
        telegram: { botToken: "file-bot" },
      },
    }),
    {},
  );

  it.each<[string, NodeJS.ProcessEnv, string | undefined, string | undefined]>([
    [
      "DISCORD_BOT_TOKEN over channels.discord.token",
      { DISCORD_BOT_TOKEN: "env" },
      "env",
      "env DISCORD_BOT_TOKEN",
    ],
    ["the file token when the env is unset", {}, "file-token", "channels.discord.token"],
    [
      "the file token when the env is empty",
      { DISCORD_BOT_TOKEN: "" },
      "file-token",
      "channels.discord.token",
    ],
  ])("discord: %s", (_name, env, value, source) => {
    expect(resolveChannelToken(config, "discord", env)).toEqual({ value, source });
  });

  it("named accounts use their own token, never the env one", () => {
    expect(resolveChannelToken(config, "discord", { DISCORD_BOT_TOKEN: "env" }, "work").value).toBe(
      "work-token",
    );
    expect(resolveChannelToken(config, "discord", {}, "other").value).toBeUndefined();
  });

  it("telegram: TELEGRAM_BOT_TOKEN over botToken", () => {
    expect(resolveChannelToken(config, "telegram", { TELEGRAM_BOT_TOKEN: "env" }).value).toBe("env");
    expect(resolveChannelToken(config, "telegram", {}).value).toBe("file-bot");
  });

  it("${VAR} falls back to the config's env section", () => {
    const text = JSON.stringify({ env: { MY_TOKEN: "abcdef" }, gateway: { auth: { token: "${MY_TOKEN}" } } });
    expect(parseConfigText("openclaw.json", text, {}).gateway?.auth?.token).toBe("abcdef");
    expect(parseConfigText("openclaw.json", text, { MY_TOKEN: "process" }).gateway?.auth?.token).toBe(
      "process",
    );
  });
});
