// Node's ESM loader, importing a built-in, reads every export of the CommonJS module to fill
// the namespace, and that runs the lazy getters some built-ins have: `http.WebSocket` and its
// friends load Node's bundled undici, `tls.rootCertificates` parses ~150 certificates,
// `crypto.webcrypto` loads WebCrypto. Measured on Node 24.22 (each alone, fresh process):
// `import("node:http")` 44 ms against 4 ms for `require("node:http")`; https 14 ms, tls 10 ms,
// crypto 8 ms. So the bundle takes these built-ins through `require` (the banner defines it):
// each import resolves to a tiny module re-exporting the plain data properties of
// `require(id)`. Their getters are left out: reading one (several are also deprecated and
// warn when read) is what we avoid; importing one by name fails the build with esbuild's
// "No matching export", and the fix is to read it off the default export where it is used.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const NAMESPACE = "builtin-via-require";

/** The built-ins whose ESM import runs costly getters (see above). */
const VIA_REQUIRE = new Set(["node:http", "node:https", "node:tls", "node:crypto"]);

/** `export` lines for the data properties of a built-in. */
function reexports(id) {
  const names = Object.entries(Object.getOwnPropertyDescriptors(require(id)))
    .filter(([name, d]) => "value" in d && /^[A-Za-z_$][\w$]*$/.test(name) && name !== "default")
    .map(([name]) => name);
  return [
    `const m = require(${JSON.stringify(id)});`,
    "export default m;",
    ...names.map((name) => `export const ${name} = m.${name};`),
  ].join("\n");
}

export const builtinsViaRequire = {
  name: "builtins-via-require",
  setup(b) {
    const names = [...VIA_REQUIRE].map((id) => id.slice("node:".length)).join("|");
    b.onResolve({ filter: new RegExp(`^(node:)?(${names})$`) }, (args) => {
      const id = args.path.startsWith("node:") ? args.path : `node:${args.path}`;
      // CommonJS dependencies already use require(); only ESM imports change.
      if (args.kind === "require-call") return undefined;
      return { path: id, namespace: NAMESPACE };
    });
    b.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: reexports(args.path),
      loader: "js",
    }));
  },
};
