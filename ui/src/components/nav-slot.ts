/**
 * OpenClaw's one sidebar: on a desktop the sessions list sits in the navigation column, under
 * the screens. The shell holds the place (and whether it is folded away, for every screen); the
 * chat renders its list there through a portal, a phone keeps it in the chat as a drawer.
 */
import { createPortal, type VNode } from "preact";

export interface NavSlot {
  /** The place under the screen links: null until laid out, undefined on a phone (no place). */
  el: HTMLElement | null | undefined;
  folded: boolean;
  setFolded(folded: boolean): void;
}

/** The sessions `list` in the navigation column on a desktop, where it stands on a phone. */
export const inNav = ({ el }: NavSlot, list: VNode) =>
  el === undefined ? list : el && createPortal(list, el);
