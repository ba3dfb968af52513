declare const __OPENCLAW_VERSION__: string;

/** The product version, injected at build time (and by vitest's `define`). */
export const VERSION: string = __OPENCLAW_VERSION__;
