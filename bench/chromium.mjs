// Headless Debian Chromium as the Control UI's browser tests and bench/ui.mjs start it.
import { chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * No sandbox (CI runs as root in a container); nothing in the background that reaches the
 * network. `extraArgs` add switches (the security tests map a hostile name to 127.0.0.1).
 */
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      ...extraArgs,
    ],
  });
}
