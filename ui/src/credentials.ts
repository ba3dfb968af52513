import type { Credentials } from "./gateway.js";

/**
 * Where the gateway secret lives in the browser: in localStorage only when the user
 * ticked "remember", otherwise only in this page's memory (gone on reload).
 */

const KEY = "openclaw.controlUi.credentials";
let inMemory: Credentials | undefined;

export function loadCredentials(): Credentials | undefined {
  if (inMemory) return inMemory;
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? "null") as Credentials | null;
    if (
      stored &&
      (stored.kind === "token" || stored.kind === "password") &&
      typeof stored.secret === "string"
    ) {
      return stored;
    }
  } catch {
    // unreadable storage or a corrupt entry: ask again
  }
  return undefined;
}

export function saveCredentials(credentials: Credentials, remember: boolean): void {
  inMemory = credentials;
  try {
    if (remember) localStorage.setItem(KEY, JSON.stringify(credentials));
    else localStorage.removeItem(KEY);
  } catch {
    // storage disabled: memory only
  }
}

export function isRemembered(): boolean {
  try {
    return localStorage.getItem(KEY) !== null;
  } catch {
    return false;
  }
}

export function forgetCredentials(): void {
  inMemory = undefined;
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}
