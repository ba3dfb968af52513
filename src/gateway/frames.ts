import { z } from "zod";
import { CLIENT_IDS, CLIENT_MODES } from "./protocol.js";

/*
 * The zod schemas of the frames a client sends (./protocol.ts has the rest of the protocol).
 * Apart so that the gateway listens before zod is loaded (#23): ./connection.ts, their one
 * user, is imported by the server with the first WebSocket upgrade.
 */

const nonEmpty = z.string().min(1).max(256);

export const requestFrameSchema = z.strictObject({
  type: z.literal("req"),
  id: nonEmpty,
  method: nonEmpty,
  params: z.unknown().optional(),
});
export type RequestFrame = z.infer<typeof requestFrameSchema>;

export const connectParamsSchema = z.object({
  minProtocol: z.number().int().min(1),
  maxProtocol: z.number().int().min(1),
  client: z.object({
    id: z.enum(CLIENT_IDS),
    displayName: z.string().max(256).optional(),
    version: z.string().max(64),
    platform: z.string().max(64),
    deviceFamily: z.string().max(64).optional(),
    modelIdentifier: z.string().max(128).optional(),
    mode: z.enum(CLIENT_MODES),
    instanceId: z.string().max(256).optional(),
  }),
  caps: z.array(z.string().max(128)).max(64).optional(),
  commands: z.array(z.string().max(128)).max(256).optional(),
  permissions: z.record(z.string(), z.boolean()).optional(),
  pathEnv: z.string().max(8192).optional(),
  role: z.string().max(32).optional(),
  scopes: z.array(z.string().max(64)).max(32).optional(),
  device: z.unknown().optional(),
  auth: z
    .object({
      token: z.string().max(4096).optional(),
      deviceToken: z.string().max(4096).optional(),
      password: z.string().max(4096).optional(),
    })
    .optional(),
  locale: z.string().max(64).optional(),
  userAgent: z.string().max(512).optional(),
  transports: z.array(z.string()).optional(),
});
export type ConnectParams = z.infer<typeof connectParamsSchema>;

/** Short, human list of what a schema rejected ("client.id: Invalid option…; …"). */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? `${issue.path.join(".")}: ` : ""}${issue.message}`)
    .join("; ");
}
