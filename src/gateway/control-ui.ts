import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { HttpError, type HttpRoute } from "../infra/http.js";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** A Host header fit to name in a CSP: a hostname or IP literal and a port, nothing else. */
const CSP_HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Scripts only from our origin, WebSocket back to the same host, nothing inline. The page's
 * socket is `ws(s)://<the Host it was served from>`: `'self'` covers it in CSP 3 browsers, and
 * the host is also named for browsers whose `'self'` does not match ws/wss (older Safari).
 * No other socket (a bare `ws:` or `wss:` would let an injected script reach any host). Talk
 * adds the realtime API's origin (its SDP exchange, Google's Live socket) to connect-src, and
 * only when it is set up; its remote audio is a MediaStream, which media-src does not govern.
 */
export function controlUiCsp(connectOrigins: readonly string[] = [], host?: string): string {
  const self = host && CSP_HOST.test(host) ? [`ws://${host}`, `wss://${host}`] : [];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ["connect-src 'self'", ...self, ...connectOrigins].join(" "),
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

const FALLBACK_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OpenClaw gateway</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main>
<h1>OpenClaw gateway</h1>
<p>The gateway is running. Its Control UI is not part of this build.</p>
<p>Check it from a terminal with <code>openclaw health</code> or <code>openclaw status</code>;
liveness is at <a href="healthz">healthz</a>.</p>
</main></body></html>
`;

/**
 * Where the built Control UI lives: `dist/control-ui/`, beside the entry bundle. This
 * module is code-split into `dist/chunks/`, so the folder is one level up from it.
 */
export function defaultControlUiRoot(): string {
  const candidates = ["../control-ui/", "./control-ui/"].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(path.join(dir, "index.html"))) ?? candidates[0]!;
}

/**
 * Serves the Control UI's static files under `basePath`, falling back to
 * `index.html` for client-side routes, and to a plain page when no UI was built.
 */
export function controlUiRoute(opts: {
  basePath: string;
  root: string;
  /** Extra connect-src origins, read per response (a reloaded config applies at once). */
  connectOrigins?: () => readonly string[];
}): HttpRoute {
  const base = opts.basePath.replace(/\/+$/, "");
  const root = path.resolve(opts.root);
  return {
    path: `${base}/*`,
    methods: ["GET", "HEAD"],
    async handle(req, res, url) {
      // The UI's asset URLs are relative: `/base` must become `/base/` or they resolve outside it.
      if (base && url.pathname === base) {
        res.writeHead(308, { location: `${base}/${url.search}` });
        res.end();
        return true;
      }
      let relative: string;
      try {
        relative = decodeURIComponent(url.pathname.slice(base.length)).replace(/^\/+/, "") || "index.html";
      } catch {
        throw new HttpError(400, "malformed percent-encoding in the path");
      }
      const file = path.resolve(root, relative);
      const inside = file.startsWith(root + path.sep);
      const exists = inside && (await stat(file).catch(() => undefined))?.isFile();
      // Unknown paths are the SPA's client-side routes only when a browser navigates
      // (accepts HTML, no file extension); APIs and missing assets get the JSON 404.
      const isNavigation = (req.headers.accept ?? "").includes("text/html") && !path.extname(relative);
      if (!exists && !isNavigation && relative !== "index.html") return false;
      const found = exists ? file : path.join(root, "index.html");
      let body: Buffer;
      let type: string;
      let gzipped = false;
      try {
        type = CONTENT_TYPES[path.extname(found)] ?? "application/octet-stream";
        // The build writes app-<hash>.js.gz beside each asset: a third of the bytes, no CPU here.
        const gz = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))
          ? await readFile(`${found}.gz`).catch(() => undefined)
          : undefined;
        gzipped = gz !== undefined;
        body = gz ?? (await readFile(found));
      } catch {
        body = Buffer.from(FALLBACK_PAGE);
        type = CONTENT_TYPES[".html"]!;
      }
      res.writeHead(200, {
        "content-type": type,
        "content-length": body.length,
        ...(gzipped ? { "content-encoding": "gzip", vary: "accept-encoding" } : {}),
        "content-security-policy": controlUiCsp(opts.connectOrigins?.(), req.headers.host),
        // Hashed asset names can be cached; the HTML must always be fresh.
        "cache-control": type.startsWith("text/html") ? "no-cache" : "public, max-age=31536000, immutable",
      });
      res.end(req.method === "HEAD" ? undefined : body);
      return true;
    },
  };
}
