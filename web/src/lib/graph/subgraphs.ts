// Subgraphs on the canvas. litegraph creates a subgraph definition (from a workflow's
// `definitions.subgraphs`, or "Convert to Subgraph") and then asks LiteGraph for a node of the
// definition's id; nothing registers that type unless the host does (ComfyUI's frontend does it
// in its app), so instances opened red as "missing: <uuid>" and converting threw "Failed to
// create subgraph node" after removing the selection. Here each definition's id is registered
// once, as a SubgraphNode of the definition current under that id (undo and reload create it
// again, and the type must follow).
import { LGraph, LGraphGroup, LGraphNode, LiteGraph, LLink, Subgraph, SubgraphNode } from "@comfyorg/litegraph";

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

type Endpoint = { node: LGraphNode; slot: number };

/** Replace a subgraph instance by the nodes inside it (ComfyUI's "Unpack Subgraph"): the inner
 *  nodes and groups are copied into the instance's graph where it stood, links inside are made
 *  again, and the links that entered or left the instance now reach the inner nodes they fed.
 *  The instance is removed; its definition goes with it once nothing uses it. */
export function unpackSubgraph(parent: LGraph, instance: SubgraphNode): LGraphNode[] {
  const subgraph = instance.subgraph;
  const inputId = subgraph.inputNode.id;
  const outputId = subgraph.outputNode.id;
  // What fed each instance input and what each instance output fed, read before it is removed.
  const fedBy = instance.inputs.map((input): Endpoint | null => {
    const link = input.link == null ? undefined : parent.links.get(input.link);
    const node = link ? parent.getNodeById(link.origin_id) : null;
    return link && node ? { node, slot: link.origin_slot } : null;
  });
  const feeds = instance.outputs.map((output) =>
    (output.links ?? []).flatMap((id): Endpoint[] => {
      const link = parent.links.get(id);
      const node = link ? parent.getNodeById(link.target_id) : null;
      return link && node ? [{ node, slot: link.target_slot }] : [];
    }),
  );
  const inner = subgraph._nodes;
  const [x0, y0] = inner.reduce(([x, y], node) => [Math.min(x, node.pos[0]), Math.min(y, node.pos[1])], [Infinity, Infinity]);
  const [dx, dy] = inner.length ? [instance.pos[0] - x0, instance.pos[1] - y0] : [0, 0];
  parent.remove(instance);

  const copies = new Map<string, LGraphNode>();
  for (const node of inner) {
    const data = JSON.parse(JSON.stringify(node.serialize())) as { type: string; pos: [number, number]; inputs?: { link: unknown }[]; outputs?: { links: unknown }[] };
    for (const input of data.inputs ?? []) input.link = null;
    for (const output of data.outputs ?? []) output.links = null;
    const copy = LiteGraph.createNode(data.type);
    if (!copy) continue;
    parent.add(copy);
    copy.configure({ ...data, id: copy.id, pos: [data.pos[0] + dx, data.pos[1] + dy] } as never);
    copies.set(String(node.id), copy);
  }
  for (const group of subgraph._groups) {
    const data = group.serialize();
    const copy = new LGraphGroup();
    copy.configure({ ...data, bounding: [data.bounding[0] + dx, data.bounding[1] + dy, data.bounding[2], data.bounding[3]] });
    parent.add(copy);
  }

  const origin = (id: number | string, slot: number): Endpoint | null =>
    id === inputId ? (fedBy[slot] ?? null) : copies.has(String(id)) ? { node: copies.get(String(id))!, slot } : null;
  for (const link of subgraph._links.values()) {
    const from = origin(link.origin_id, link.origin_slot);
    if (!from) continue;
    const targets = link.target_id === outputId ? (feeds[link.target_slot] ?? []) : [{ node: copies.get(String(link.target_id)), slot: link.target_slot }];
    for (const to of targets) if (to.node) from.node.connect(from.slot, to.node, to.slot);
  }
  // Each node was ordered as it was added, before its links: order them as a reload would
  // (else the first undo afterwards records the new order and undoes nothing).
  parent.updateExecutionOrder();
  return [...copies.values()];
}
