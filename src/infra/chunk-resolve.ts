import module from "node:module";

/**
 * The bundle's chunks import one another by relative specifier (`./chunk-AB12.js`): an idle
 * gateway resolves ~400 such imports. Node's default resolver checks each on disk (stat,
 * realpath) and turns paths into URLs and back, running `path.resolve` twice per import;
 * that many calls make V8 compile `path.resolve`'s inner loop with TurboFan, which pages
 * ~5 MB of the optimizing compiler into memory that an idle gateway then keeps (issue #23).
 * A chunk's sibling needs none of it: it is a plain ES module file next to it, written by the
 * build, never a symlink or a package. This resolves those specifiers by URL arithmetic alone
 * and leaves every other one (node builtins, packages, files outside the bundle) to Node.
 *
 * `bundleRoot` is the URL of the directory holding the bundle's entry (dist/). Needs
 * `module.registerHooks` (Node >= 22.15); on older Node the default resolver runs, as before.
 */
export function resolveChunksByUrl(bundleRoot: string): void {
  if (typeof module.registerHooks !== "function") return;
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      const parent = context.parentURL;
      if (parent?.startsWith(bundleRoot) && isSiblingChunk(specifier)) {
        const url = new URL(specifier, parent).href;
        if (url.startsWith(bundleRoot)) return { url, format: "module", shortCircuit: true };
      }
      return nextResolve(specifier, context);
    },
  });
}

/** `./x.js` or `./chunks/x.js`, `../x.js`: what esbuild writes between chunks, and nothing else. */
function isSiblingChunk(specifier: string): boolean {
  return (
    (specifier.startsWith("./") || specifier.startsWith("../")) &&
    specifier.endsWith(".js") &&
    !specifier.includes("?") &&
    !specifier.includes("#")
  );
}
