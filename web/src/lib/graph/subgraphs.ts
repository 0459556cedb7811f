// Subgraphs on the canvas. litegraph creates a subgraph definition (from a workflow's
// `definitions.subgraphs`, or "Convert to Subgraph") and then asks LiteGraph for a node of the
// definition's id; nothing registers that type unless the host does (ComfyUI's frontend does it
// in its app), so instances opened red as "missing: <uuid>" and converting threw "Failed to
// create subgraph node" after removing the selection. Here each definition's id is registered
// once, as a SubgraphNode of the definition current under that id (undo and reload create it
// again, and the type must follow).
import { LGraph, LiteGraph, LLink, Subgraph, SubgraphNode } from "@comfyorg/litegraph";

const definitions = new Map<string, Subgraph>();

/** What a fresh instance starts from; configure() with the saved instance follows. */
function blankInstance(subgraph: Subgraph) {
  return {
    id: -1,
    type: subgraph.id,
    pos: [0, 0] as [number, number],
    size: [140, 60] as [number, number],
    inputs: [],
    outputs: [],
    flags: {},
    order: 0,
    mode: 0,
    properties: {},
  };
}

function register(root: LGraph, subgraph: Subgraph): void {
  definitions.set(subgraph.id, subgraph);
  if (LiteGraph.registered_node_types[subgraph.id]) return;
  const id = subgraph.id;
  class Instance extends SubgraphNode {
    constructor() {
      const current = definitions.get(id)!;
      super(root, current, blankInstance(current) as never);
      this.title = current.name;
      // litegraph labels the enter button with an icon font this page does not load (a tofu box).
      for (const button of this.title_buttons) if (button.name === "enter_subgraph") button.text = "Open ›";
    }
  }
  LiteGraph.registerNodeType(id, Instance as never);
  // Not listed in the node search or library: an instance is made by converting or opening.
  (LiteGraph.registered_node_types[id] as unknown as { skip_list?: boolean }).skip_list = true;
}

/** Make every subgraph the root graph creates a node type the canvas can place. */
export function enableSubgraphs(root: LGraph): void {
  root.events.addEventListener("subgraph-created", (event) => register(root, event.detail.subgraph));
  tolerateRemovedInputLinks();
}

interface SubgraphInputSlot {
  linkIds: number[];
  parent: { subgraph: Subgraph };
  getConnectedWidgets(): unknown[];
}

let tolerating = false;

/** litegraph (0.17) announces a link from a subgraph's input node as disconnected after deleting
 *  the link but before dropping its id from the input's list, and every instance then asks that
 *  list for its widgets and logs "Link not found" as an error (converting or deleting a node fed
 *  by a subgraph input did it; nested subgraphs always). The ask skips links already deleted. */
function tolerateRemovedInputLinks(): void {
  if (tolerating) return;
  tolerating = true;
  const disconnect = LLink.prototype.disconnect;
  const patched = new WeakSet<object>();
  LLink.prototype.disconnect = function (this: LLink, network, keepReroutes) {
    const input = this.originIsIoNode && network instanceof Subgraph ? (network.inputs.at(this.origin_slot) as unknown as SubgraphInputSlot | undefined) : undefined;
    const proto = input ? (Object.getPrototypeOf(input) as SubgraphInputSlot) : undefined;
    if (proto && !patched.has(proto)) {
      patched.add(proto);
      const widgets = proto.getConnectedWidgets;
      proto.getConnectedWidgets = function (this: SubgraphInputSlot) {
        const all = this.linkIds;
        this.linkIds = all.filter((id) => this.parent.subgraph.getLink(id as never));
        try {
          return widgets.call(this);
        } finally {
          this.linkIds = all; // the same list litegraph removes the id from next
        }
      };
    }
    return disconnect.call(this, network, keepReroutes);
  };
}
