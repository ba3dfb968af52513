/**
 * Native HTML5 drag and drop for sessions and their custom groups: a session row
 * (`data-key`) or a group header (`data-group`) with `draggable` is dragged; a target takes it, lit
 * (`data-over`) while it is over it. What is dragged is kept here (a drag within the page),
 * its key or name also given as text; `body.dragging` while it is a row. The row menu's
 * "Move to group…" stays the keyboard and touch path.
 */

/** A session row (its key) or a custom group header (its name). */
export type Dragged = { key?: string; group?: string };

let dragged: Dragged | undefined;
/** The target lit now: one at a time, none when the pointer is over no target. */
let lit: Element | undefined;
const light = (el?: Element) => {
  if (el === lit) return;
  lit?.removeAttribute("data-over");
  el?.setAttribute("data-over", "");
  lit = el;
};
// A target takes a drag by cancelling its dragover (below); anywhere else is no target.
addEventListener("dragover", (e) => e.defaultPrevented || light());
addEventListener("dragend", () => {
  dragged = undefined;
  light();
  document.body.classList.remove("dragging");
});

// A row or a header made draggable (or a link inside one) starts a drag of it.
addEventListener("dragstart", (e) => {
  const el = (e.target as Element).closest<HTMLElement>("[draggable=true]:is([data-key],[data-group])");
  dragged = el?.dataset;
  if (!el) return;
  e.dataTransfer?.setData("text/plain", el.dataset.key || el.dataset.group || "");
  // A moment later: Chrome ends a drag whose page changes as it starts.
  setTimeout(() => document.body.classList.toggle("dragging", !!dragged?.key));
});

/** A drop target's handlers: it takes what `accepts` says yes to; `drop` runs when it is let go there. */
export function dropTarget(accepts: (d: Dragged) => unknown, drop: (d: Dragged) => void) {
  return {
    onDragOver: (e: DragEvent) => {
      if (dragged && accepts(dragged)) {
        e.preventDefault();
        light(e.currentTarget as Element);
      }
    },
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      light();
      if (dragged) drop(dragged);
    },
  };
}

/**
 * A custom group's section or header (`id`; "" is Ungrouped) as a target: a row moves into it,
 * another group's header takes its place among `names`; `send` asks the gateway.
 */
export function groupTarget(id: string, names: string[], send: (method: string, params: object) => unknown) {
  return dropTarget(
    (d) => d.key || (id && id !== d.group),
    ({ key, group = "" }) =>
      key
        ? send("sessions.patch", { key, category: id || null })
        : send("sessions.groups.put", { names: reordered(names, group, id) }),
  );
}

/** `names` with group `moved` put in the place of `onto` (a header dropped on another's). */
export function reordered(names: string[], moved: string, onto: string) {
  const rest = names.filter((n) => n !== moved);
  rest.splice(names.indexOf(onto), 0, moved);
  return rest;
}
