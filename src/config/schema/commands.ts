import { z } from "zod";
import { compatOnly } from "./common.js";
import { lazySchema } from "./lazy.js";

/**
 * `commands`: OpenClaw's chat-command settings. `ownerAllowFrom` names the operator (the
 * heartbeat's default `owner` target); the other keys load unchanged and do nothing yet.
 */
export const commandsSchema = lazySchema("commands", () =>
  z
    .looseObject({
      ownerAllowFrom: z
        .array(z.union([z.string().min(1), z.number()]))
        .optional()
        .describe(
          'the operator, as <channel>:<sender id> (e.g. ["telegram:123456789"]): heartbeat alerts with target "owner" go to the first entry\'s DM',
        ),
      native: compatOnly(z.unknown().optional(), "native slash-command registration per chat app"),
      text: compatOnly(z.unknown().optional(), "text /commands in chats"),
      bash: compatOnly(z.unknown().optional(), "the ! shell command in chats"),
      config: compatOnly(z.unknown().optional(), "the /config command"),
      restart: compatOnly(z.unknown().optional(), "the /restart command"),
      allowFrom: compatOnly(z.unknown().optional(), "who may run /commands, per channel"),
    })
    .describe("chat /commands and the operator's identity"),
);
