import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CHANNEL_SECTIONS } from "../../src/config/schema/channels.js";
import {
  buildSection,
  DM_POLICIES,
  GROUP_POLICIES,
  type SetupChannel,
  SLACK_EVENTS,
  SLACK_SCOPES,
  SPECS,
  slackManifest,
  validate,
} from "../../ui/src/screens/channel-setup/specs.js";

/** Values a user would type, per channel (well-formed, not real). */
const GOOD: Record<SetupChannel, Record<string, string>> = {
  telegram: { botToken: "123456789:AAFakeTelegramBotToken_abcdefghijklm", apiRoot: "http://127.0.0.1:9" },
  discord: {
    token: "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789AB",
    applicationId: "123456789012345678",
  },
  slack: { botToken: "xoxb-1234-5678-abcdefghij", appToken: "xapp-1-A123-456-abcdef" },
  signal: { account: "+15551234567", httpUrl: "http://127.0.0.1:8080" },
  whatsapp: {},
};

const slackDir = path.resolve(import.meta.dirname, "../../src/channels/slack");
const slackSource = readdirSync(slackDir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
  .map((f) => readFileSync(path.join(slackDir, f), "utf8"))
  .join("\n");

describe("guided channel setup: what it writes and checks", () => {
  it.each(Object.keys(SPECS) as SetupChannel[])(
    "%s: every policy choice gives a section the gateway's schema accepts",
    (channel) => {
      for (const dm of DM_POLICIES) {
        for (const group of GROUP_POLICIES) {
          const policy = { dm, group, allowFrom: "111, 222" };
          expect(validate(SPECS[channel], GOOD[channel], policy)).toBeUndefined();
          const section = buildSection(SPECS[channel], GOOD[channel], policy);
          const parsed = CHANNEL_SECTIONS[channel]().safeParse(section);
          expect(parsed.error?.issues ?? []).toEqual([]);
          expect(section).toMatchObject({ enabled: true, dmPolicy: dm, groupPolicy: group });
          // The Discord application id only builds the invite link; the schema has no such key.
          expect(section).not.toHaveProperty("applicationId");
        }
      }
    },
  );

  it("refuses a mistyped value of every checked field, and a missing required one, naming the field", () => {
    const policy = { dm: "pairing" as const, allowFrom: "" };
    for (const [channel, spec] of Object.entries(SPECS) as [SetupChannel, (typeof SPECS)[SetupChannel]][]) {
      for (const field of spec.fields) {
        if (field.check) {
          const bad = { ...GOOD[channel], [field.key]: "not-it" };
          expect(validate(spec, bad, policy)?.key, `${channel}.${field.key}`).toBe(field.key);
        }
        if (!field.optional) {
          const missing = { ...GOOD[channel], [field.key]: "  " };
          expect(validate(spec, missing, policy)).toEqual({ key: field.key, error: "setup.err.required" });
        }
      }
    }
    expect(validate(SPECS.telegram, GOOD.telegram, { dm: "allowlist", allowFrom: " , " })).toEqual({
      key: "allowFrom",
      error: "setup.err.allowFrom",
    });
  });

  it("Slack's manifest grants a scope for every Web API method and event our Slack channel uses", () => {
    const methods = new Set(
      [...slackSource.matchAll(/\bweb\.(\w+)\.(\w+)\(/g)].map((m) => `${m[1]}.${m[2]}`),
    );
    // auth.test needs no scope.
    methods.delete("auth.test");
    expect(methods.size).toBeGreaterThan(0);
    expect([...methods].filter((m) => !(m in SLACK_SCOPES))).toEqual([]);
    const manifest = JSON.parse(slackManifest("OpenClaw"));
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    for (const scope of [...Object.values(SLACK_SCOPES), ...Object.values(SLACK_EVENTS)]) {
      expect(manifest.oauth_config.scopes.bot).toContain(scope);
    }
    // The events inbound.ts turns into messages arrive: app_mention and message.* for every kind of chat.
    expect(slackSource).toMatch(/event\.type !== "message" && event\.type !== "app_mention"/);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(
      expect.arrayContaining([
        "app_mention",
        "message.channels",
        "message.groups",
        "message.im",
        "message.mpim",
      ]),
    );
  });
});
