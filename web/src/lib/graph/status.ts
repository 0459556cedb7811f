// Run status drawn on a node: an outline in the status colour, a progress bar under the
// title, and a badge; validation problems draw a red outline and name the inputs concerned.
import { LiteGraph, type LGraphNode } from "@comfyorg/litegraph";

export type NodeStatus =
  | "queued" | "pending" | "running" | "cached" | "completed" | "failed" | "skipped" | "cancelled" | "awaiting_review";

export interface NodeRunState {
  status: NodeStatus;
  progress?: number;
  step?: string | null;
  error?: string | null;
  outputs?: Record<string, unknown> | null;
}

export const STATUS_COLOURS: Record<NodeStatus, string> = {
  queued: "#8b93a3",
  pending: "#8b93a3",
  running: "#3fb6ff",
  cached: "#9b7fe8",
  completed: "#43c872",
  failed: "#ff4d5e",
  skipped: "#6b7280",
  cancelled: "#e0a526",
  awaiting_review: "#ff8fd8",
};

export function drawStatus(
  node: LGraphNode,
  ctx: CanvasRenderingContext2D,
  state: NodeRunState | undefined,
  problem: { message: string; inputs: string[] } | undefined,
): void {
  const title = LiteGraph.NODE_TITLE_HEIGHT;
  const [w, h] = node.size;
  if (node.flags?.collapsed) return;
  if (state) {
    const colour = STATUS_COLOURS[state.status];
    ctx.save();
    ctx.strokeStyle = colour;
    ctx.lineWidth = state.status === "running" ? 3 : 2;
    ctx.beginPath();
    ctx.roundRect(-4, -title - 4, w + 8, h + title + 8, 10);
    ctx.stroke();
    if (state.status === "running") {
      const fraction = Math.max(0, Math.min(1, state.progress ?? 0));
      ctx.fillStyle = "#0b0d11";
      ctx.fillRect(0, -3, w, 3);
      ctx.fillStyle = colour;
      ctx.fillRect(0, -3, w * fraction, 3);
    }
    const label = state.status === "running" && state.progress ? `${Math.round(state.progress * 100)}%` : state.status;
    ctx.font = "600 10px Inter, system-ui, sans-serif";
    const width = ctx.measureText(label).width + 12;
    ctx.fillStyle = colour;
    // Above the node's top edge, never over its title (a long title ran under the badge).
    ctx.beginPath();
    ctx.roundRect(w - width, -title - 20, width, 15, 7);
    ctx.fill();
    ctx.fillStyle = "#0b0d11";
    ctx.textAlign = "center";
    ctx.fillText(label, w - width / 2, -title - 9);
    ctx.restore();
  }
  if (problem) {
    ctx.save();
    ctx.strokeStyle = STATUS_COLOURS.failed;
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.roundRect(-6, -title - 6, w + 12, h + title + 12, 12);
    ctx.stroke();
    ctx.setLineDash([]);
    for (const name of problem.inputs) {
      const index = node.inputs.findIndex((input) => input.name === name);
      const slot = index >= 0 ? node.inputs[index] : undefined;
      if (!slot) continue;
      const pos = slot.pos ?? [10, index * LiteGraph.NODE_SLOT_HEIGHT + 14];
      ctx.fillStyle = STATUS_COLOURS.failed;
      ctx.beginPath();
      ctx.arc(pos[0], pos[1], 7, 0, Math.PI * 2);
      ctx.fill();
    }
    ctx.restore();
  }
}

/** A node narrower on screen than this is drawn as a tile (`drawTile`): nothing in it could be
 *  read, and drawing its widgets, slots and badge in full cost ~60 µs a node per frame (a
 *  1,000-node workflow fitted to the screen: 61 ms a frame, which held back a run's updates). */
export const TILE_PX = 40;

/** A node far out: its title bar and body as plain rectangles, the body filled with its run
 *  state's colour and outlined in red when it has a problem, so a run is still seen sweeping
 *  over a whole graph. */
export function drawTile(
  node: LGraphNode,
  ctx: CanvasRenderingContext2D,
  scale: number,
  state: NodeRunState | undefined,
  problem: unknown,
): void {
  const title = LiteGraph.NODE_TITLE_HEIGHT;
  const [w, h] = node.size;
  ctx.fillStyle = node.renderingColor;
  ctx.fillRect(0, -title, w, title);
  ctx.fillStyle = state ? STATUS_COLOURS[state.status] : node.renderingBgColor;
  ctx.fillRect(0, 0, w, h);
  if (problem || node.selected) {
    ctx.strokeStyle = problem ? STATUS_COLOURS.failed : LiteGraph.NODE_SELECTED_TITLE_COLOR;
    ctx.lineWidth = 2 / scale; // two screen pixels whatever the zoom
    ctx.strokeRect(0, -title, w, h + title);
  }
}

/** Zoomed out below litegraph's detail level a node is a plain box: its title, and its first
 *  widget values, are drawn here at a size that stays readable on screen (about 12 px). */
export function drawZoomedOutLabels(node: LGraphNode, ctx: CanvasRenderingContext2D, scale: number): void {
  if (node.flags?.collapsed) return;
  const title = LiteGraph.NODE_TITLE_HEIGHT;
  const [w, h] = node.size;
  const size = Math.min(12 / scale, 64);
  ctx.save();
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.font = `600 ${size}px Inter, system-ui, sans-serif`;
  ctx.fillStyle = LiteGraph.NODE_TITLE_COLOR;
  ctx.fillText(fitted(ctx, node.title || String(node.type), w - 12), 6, -title / 2);
  ctx.font = `${size * 0.85}px Inter, system-ui, sans-serif`;
  let y = size * 0.75;
  for (const widget of (node.widgets ?? []).slice(0, 2)) {
    if (y + size > h) break;
    const value = typeof widget.value === "number" ? String(Math.round(widget.value * 100) / 100) : String(widget.value ?? "");
    ctx.fillStyle = "#1e2128e6"; // over the widget's own (textless) box
    ctx.fillRect(0, y - size * 0.6, w, size * 1.2);
    ctx.fillStyle = LiteGraph.WIDGET_TEXT_COLOR;
    ctx.fillText(fitted(ctx, `${widget.label ?? widget.name}: ${value}`, w - 12), 6, y);
    y += size * 1.25;
  }
  ctx.restore();
}

/** `text`, cut with an ellipsis to fit `width` in the context's font. */
function fitted(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let end = text.length;
  while (end > 1 && ctx.measureText(`${text.slice(0, end)}…`).width > width) end -= Math.max(1, Math.floor((end * 0.2)));
  return `${text.slice(0, end)}…`;
}
