// Node types on the canvas, made from the server's catalog (GET /api/nodes).
// Every widget input also gets a widget socket (as in ComfyUI), so a value can be linked in.
import { LGraphNode, LiteGraph, type IWidget } from "@comfyorg/litegraph";
import type { InputSpec, NodeSpec } from "../../generated/api";
import { socketColour } from "../sockets";

export const MISSING_COLOUR = "#7a2230";
export const MISSING_BG = "#3b1c22";

/** Widget types on the canvas for each catalog widget kind. */
function widgetFor(node: LGraphNode, input: InputSpec): IWidget | undefined {
  const label = input.label ?? input.name;
  const value = input.has_default ? input.default : undefined;
  const min = input.min ?? undefined;
  const max = input.max ?? undefined;
  // `property` names the input the widget edits; litegraph warns about (and ComfyUI files never
  // carry) a widget with neither a callback nor a property, one warning per widget built.
  const property = input.name;
  const options = { min, max, property };
  let widget;
  switch (input.widget) {
    case "int":
      widget = node.addWidget("number", input.name, Number(value ?? 0), null, {
        ...options, step2: input.step ?? 1, precision: 0, round: 1,
      } as never);
      break;
    case "float":
      widget = node.addWidget("number", input.name, Number(value ?? 0), null, {
        ...options, step2: input.step ?? 0.1, precision: decimals(input.step),
      } as never);
      break;
    case "boolean":
      widget = node.addWidget("toggle", input.name, Boolean(value), null, { on: "true", off: "false", property });
      break;
    case "combo":
      widget = node.addWidget("combo", input.name, (value ?? input.options?.[0] ?? "") as string, null, {
        values: input.options ?? [],
        property,
      });
      break;
    case "text":
    case "textarea":
    case "path":
    default:
      widget = node.addWidget("text", input.name, value == null ? "" : String(value), null, {
        multiline: input.widget === "textarea",
        property,
      });
      break;
  }
  if (label !== input.name) widget.label = label;
  return widget as IWidget;
}

function decimals(step: number | null | undefined): number {
  if (!step) return 2;
  const text = String(step);
  return text.includes(".") ? Math.min(6, text.split(".")[1]!.length) : 0;
}

/** Build a node's sockets and widgets from its spec. */
export function buildNode(node: LGraphNode, spec: NodeSpec): void {
  for (const input of spec.inputs) {
    if (input.widget) {
      widgetFor(node, input);
      const slot = node.addInput(input.name, input.type, { widget: { name: input.name } });
      slot.color_on = slot.color_off = socketColour(input.type);
    } else {
      const slot = node.addInput(input.label ?? input.name, input.type);
      slot.color_on = slot.color_off = socketColour(input.type);
      if (input.label) slot.name = input.name, (slot as { label?: string }).label = input.label;
    }
  }
  for (const output of spec.outputs) {
    if (output.ui) continue;
    const slot = node.addOutput(output.name, output.type);
    slot.color_on = slot.color_off = socketColour(output.type);
  }
  node.properties ??= {};
  const size = node.computeSize();
  node.size = [Math.max(size[0], 220), size[1] + (spec.output_node ? 8 : 0)];
}

export interface CatalogNodeClass {
  spec: NodeSpec;
}

/** Register every catalog node type with litegraph (and forget built-in demo types). */
export function registerCatalog(specs: NodeSpec[]): void {
  for (const type of Object.keys(LiteGraph.registered_node_types)) {
    if (!type.includes(".")) LiteGraph.unregisterNodeType(type);
  }
  for (const spec of specs) {
    const NodeClass = class extends LGraphNode {
      static override title = spec.title;
      static spec = spec;
      constructor(title?: string) {
        super(title ?? spec.title, spec.type);
        buildNode(this, spec);
        this.serialize_widgets = true;
      }
    };
    Object.defineProperty(NodeClass, "name", { value: spec.class_name || "CatalogNode" });
    LiteGraph.registerNodeType(spec.type, NodeClass as unknown as typeof LGraphNode);
  }
}

export function specOf(node: LGraphNode, catalog: Map<string, NodeSpec>): NodeSpec | undefined {
  return node.type ? catalog.get(node.type) : undefined;
}

/** Fuzzy match score of `query` against `text` (0 = no match; higher is better). */
export function fuzzyScore(query: string, text: string): number {
  const q = query.toLowerCase().trim();
  const t = text.toLowerCase();
  if (!q) return 1;
  const at = t.indexOf(q);
  if (at >= 0) return 1000 - at - t.length * 0.01 + (at === 0 ? 200 : 0);
  let score = 0;
  let position = 0;
  let run = 0;
  for (const char of q) {
    if (char === " ") continue;
    const found = t.indexOf(char, position);
    if (found < 0) return 0;
    run = found === position ? run + 1 : 0;
    score += 10 + run * 5 - Math.min(found - position, 10);
    position = found + 1;
  }
  return score;
}

export function searchNodes(query: string, specs: NodeSpec[]): NodeSpec[] {
  const scored = specs
    .map((spec) => ({
      spec,
      score: Math.max(
        fuzzyScore(query, spec.title) * 1.2,
        fuzzyScore(query, spec.type),
        fuzzyScore(query, spec.category) * 0.8,
      ),
    }))
    .filter((item) => item.score > 0);
  scored.sort((a, b) => b.score - a.score || a.spec.title.localeCompare(b.spec.title));
  return scored.map((item) => item.spec);
}
