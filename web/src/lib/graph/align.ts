// Saved sockets laid over the node's declared ones by name, not by index.
//
// litegraph's node.configure copies the saved `inputs`/`outputs` arrays over the ones the node
// built from its spec index by index, so a file that lists only some sockets (older templates,
// hand-written workflows, ComfyUI files from another version) renames the first sockets and
// duplicates the rest. Before configure, each known node's lists are rebuilt in the declared
// order, carrying each saved socket's link and label by name, and the links' slot numbers are
// remapped to match.
import type { NodeSpec } from "../../generated/api";
import { isObject, type Json } from "./workflow";

type Slot = Json & { name: string };

/** Rewrites `data` (a copy about to be configured) in place. */
export function alignSockets(data: Json, catalog: Map<string, NodeSpec>): void {
  const nodes = Array.isArray(data.nodes) ? (data.nodes as Json[]) : [];
  const links = Array.isArray(data.links) ? (data.links as unknown[]) : [];
  const byId = new Map<number, unknown>();
  for (const link of links) {
    const id = Array.isArray(link) ? link[0] : isObject(link) ? link.id : undefined;
    if (typeof id === "number") byId.set(id, link);
  }
  const setEnd = (linkId: unknown, end: "origin" | "target", slot: number): void => {
    const link = typeof linkId === "number" ? byId.get(linkId) : undefined;
    if (Array.isArray(link)) link[end === "origin" ? 2 : 4] = slot;
    else if (isObject(link)) link[`${end}_slot`] = slot;
  };
  for (const node of nodes) {
    const spec = typeof node.type === "string" ? catalog.get(node.type) : undefined;
    if (!spec) continue; // a missing type keeps what was saved, untouched
    if (Array.isArray(node.inputs)) {
      const declared: Slot[] = spec.inputs.map((input) => ({
        name: input.name,
        type: input.type,
        link: null,
        ...(input.widget ? { widget: { name: input.name } } : {}),
      }));
      node.inputs = merge(declared, node.inputs as unknown[], (slot, index) => setEnd(slot.link, "target", index));
    }
    if (Array.isArray(node.outputs)) {
      const declared: Slot[] = spec.outputs
        .filter((output) => !output.ui)
        .map((output, index) => ({ name: output.name, type: output.type, links: null, slot_index: index }));
      node.outputs = merge(declared, node.outputs as unknown[], (slot, index) => {
        for (const id of Array.isArray(slot.links) ? slot.links : []) setEnd(id, "origin", index);
      });
    }
  }
}

/** The declared slots with each saved slot of the same name laid over; saved slots the node no
 *  longer declares are kept at the end only when they carry a link (so the link is not lost). */
function merge(declared: Slot[], saved: unknown[], relink: (slot: Json, index: number) => void): Slot[] {
  const result = declared.map((slot) => ({ ...slot }));
  for (const item of saved) {
    if (!isObject(item) || typeof item.name !== "string") continue;
    const widget = isObject(item.widget) && typeof item.widget.name === "string" ? item.widget.name : null;
    const index = result.findIndex((slot) => slot.name === item.name || (widget !== null && slot.name === widget));
    const linked = item.link != null || (Array.isArray(item.links) && item.links.length > 0);
    if (index >= 0) {
      const { name, type, widget: declaredWidget } = result[index]!;
      result[index] = { ...item, name, type, ...(declaredWidget ? { widget: declaredWidget } : {}) };
    } else if (linked) {
      result.push({ ...item, name: item.name });
    }
  }
  result.forEach((slot, index) => relink(slot, index));
  return result;
}
