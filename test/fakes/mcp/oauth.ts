import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
// @ts-expect-error: plain ESM beside this file (the stdio fake runs it with node directly).
import { createFakeMcpServer } from "./tools.mjs";

/**
 * An OAuth-protected MCP server on 127.0.0.1, per the MCP authorization spec: the SDK's
 * Streamable HTTP server at `/mcp` answers 401 + `WWW-Authenticate: Bearer
 * resource_metadata=…` without a valid bearer token; the same origin is the
 * authorization server (RFC 9728 protected-resource metadata, RFC 8414 metadata, RFC 7591
 * registration, an authorize endpoint that approves at once with a redirect, and a token
 * endpoint with PKCE S256, refresh and rotation).
 */
export interface FakeOAuthMcp {
  url: string;
  origin: string;
  /** Clients registered through /register. */
  clients: Map<string, { redirect_uris: string[]; client_name?: string }>;
  /** Token requests by grant type. */
  grants: { authorization_code: number; refresh_token: number };
  /** Authorization headers that reached /mcp (to check which token was sent). */
  bearers: (string | undefined)[];
  /** Every access and refresh token issued (to check none leaks). */
  issued: string[];
  /** Makes every access token issued so far expired (the next /mcp request with one gets 401). */
  expireAccessTokens(): void;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => resolve(body));
  });

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

const token = () => randomBytes(24).toString("base64url");

export async function startFakeOAuthMcp(): Promise<FakeOAuthMcp> {
  const clients = new Map<string, { redirect_uris: string[]; client_name?: string }>();
  const codes = new Map<string, { clientId: string; redirectUri: string; challenge: string }>();
  const access = new Map<string, { expired: boolean }>();
  const refresh = new Map<string, string>();
  const grants = { authorization_code: 0, refresh_token: 0 };
  const bearers: (string | undefined)[] = [];
  const issued: string[] = [];
  let origin = "";

  const issueTokens = (clientId: string) => {
    const accessToken = token();
    const refreshToken = token();
    access.set(accessToken, { expired: false });
    refresh.set(refreshToken, clientId);
    issued.push(accessToken, refreshToken);
    return { access_token: accessToken, token_type: "Bearer", expires_in: 3600, refresh_token: refreshToken };
  };

  async function tokenEndpoint(req: IncomingMessage, res: ServerResponse) {
    const form = new URLSearchParams(await readBody(req));
    const clientId = form.get("client_id") ?? "";
    if (!clients.has(clientId)) return json(res, 401, { error: "invalid_client" });
    if (form.get("grant_type") === "authorization_code") {
      const code = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      const verifier = form.get("code_verifier") ?? "";
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      if (!code || code.clientId !== clientId || code.redirectUri !== form.get("redirect_uri"))
        return json(res, 400, { error: "invalid_grant" });
      if (code.challenge !== challenge)
        return json(res, 400, { error: "invalid_grant", error_description: "PKCE" });
      grants.authorization_code++;
      return json(res, 200, issueTokens(clientId));
    }
    if (form.get("grant_type") === "refresh_token") {
      const owner = refresh.get(form.get("refresh_token") ?? "");
      if (owner !== clientId) return json(res, 400, { error: "invalid_grant" });
      refresh.delete(form.get("refresh_token") ?? "");
      grants.refresh_token++;
      return json(res, 200, issueTokens(clientId));
    }
    return json(res, 400, { error: "unsupported_grant_type" });
  }

  function authorize(url: URL, res: ServerResponse) {
    const q = url.searchParams;
    const client = clients.get(q.get("client_id") ?? "");
    const redirectUri = q.get("redirect_uri") ?? "";
    if (!client?.redirect_uris.includes(redirectUri)) return json(res, 400, { error: "invalid_request" });
    if (q.get("response_type") !== "code" || q.get("code_challenge_method") !== "S256")
      return json(res, 400, { error: "invalid_request" });
    const code = token();
    codes.set(code, { clientId: q.get("client_id")!, redirectUri, challenge: q.get("code_challenge") ?? "" });
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    if (q.get("state")) back.searchParams.set("state", q.get("state")!);
    res.writeHead(302, { location: back.href }).end();
  }

  async function mcp(req: IncomingMessage, res: ServerResponse) {
    const header = req.headers.authorization;
    bearers.push(header);
    const presented = header?.startsWith("Bearer ") ? header.slice(7) : undefined;
    const entry = presented ? access.get(presented) : undefined;
    if (!entry || entry.expired) {
      const error = presented ? ', error="invalid_token"' : "";
      res
        .writeHead(401, {
          "www-authenticate": `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"${error}`,
        })
        .end();
      return;
    }
    const server = createFakeMcpServer({ name: "fake-oauth" });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  }

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? "/", origin);
    const route = `${req.method} ${url.pathname}`;
    if (route === "GET /.well-known/oauth-protected-resource/mcp")
      return json(res, 200, {
        resource: `${origin}/mcp`,
        authorization_servers: [origin],
        scopes_supported: ["tools.read"],
      });
    if (route === "GET /.well-known/oauth-authorization-server")
      return json(res, 200, {
        issuer: origin,
        authorization_endpoint: `${origin}/authorize`,
        token_endpoint: `${origin}/token`,
        registration_endpoint: `${origin}/register`,
        response_types_supported: ["code"],
        grant_types_supported: ["authorization_code", "refresh_token"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["none"],
      });
    if (route === "POST /register")
      return void readBody(req).then((body) => {
        const metadata = JSON.parse(body) as { redirect_uris: string[]; client_name?: string };
        const clientId = `client-${clients.size + 1}`;
        clients.set(clientId, metadata);
        json(res, 201, {
          ...metadata,
          client_id: clientId,
          client_id_issued_at: Math.floor(Date.now() / 1000),
        });
      });
    if (route === "GET /authorize") return authorize(url, res);
    if (route === "POST /token") return void tokenEndpoint(req, res);
    if (url.pathname === "/mcp") return void mcp(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url: `${origin}/mcp`,
    origin,
    clients,
    grants,
    bearers,
    issued,
    expireAccessTokens() {
      for (const entry of access.values()) entry.expired = true;
    },
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
