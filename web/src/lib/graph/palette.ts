// The canvas's colours per theme. litegraph draws nodes, widgets, links and groups from its
// global defaults (a few are copied onto the canvas when it is made, and each slot keeps the
// colour it was built with), so a theme sets all of them and recolours the slots already placed;
// nodes a workflow coloured itself keep their colours.
import { LGraph, LGraphCanvas, LGraphGroup, LGraphNode, LiteGraph } from "@comfyorg/litegraph";
import { mix } from "../colour";
import { setSocketDarkening, socketColour } from "../sockets";

export type Theme = "dark" | "light";

interface Palette {
  background: string;
  gridLine: string;
  titleBar: string;
  body: string;
  box: string;
  title: string;
  selectedTitle: string;
  text: string;
  widgetBg: string;
  widgetOutline: string;
  widgetText: string;
  widgetSecondary: string;
  widgetDisabled: string;
  link: string;
  shadow: string;
  group: string;
  /** How far the socket colours are mixed toward black (0: as they are). */
  socketDarkening: number;
}

export const PALETTES: Record<Theme, Palette> = {
  dark: {
    background: "#15171c",
    gridLine: "#262a33",
    titleBar: "#353a45",
    body: "#2b2f38",
    box: "#666",
    title: "#c9ced8",
    selectedTitle: "#fff",
    text: "#aab1be",
    widgetBg: "#1e2128",
    widgetOutline: "#434a58",
    widgetText: "#dfe3ea",
    widgetSecondary: "#8b93a3",
    widgetDisabled: "#5f6676",
    link: "#8a93a5",
    shadow: "rgba(0,0,0,0.5)",
    group: "#3f789e",
    socketDarkening: 0,
  },
  // Dark text on light surfaces, at least 4.5:1 (title on title bar ~12:1, widget text on its
  // field ~15:1); links and sockets darkened so they stand out against the light background.
  light: {
    background: "#e6e8ec",
    gridLine: "#cfd3da",
    titleBar: "#d3d8e1",
    body: "#f7f8fa",
    box: "#7b8496",
    title: "#1c212c",
    selectedTitle: "#000",
    text: "#3a4252",
    widgetBg: "#ffffff",
    widgetOutline: "#aeb6c3",
    widgetText: "#1c212c",
    widgetSecondary: "#545d70",
    widgetDisabled: "#98a0ad",
    link: "#5d6577",
    shadow: "rgba(30,40,60,0.22)",
    group: "#2f6690",
    socketDarkening: 0.38,
  },
};

let light = false;

/** Set litegraph's global colours (nodes, widgets, links, groups) for a theme. */
export function setGlobalColours(theme: Theme): void {
  const p = PALETTES[theme];
  light = theme === "light";
  themeOwnColours();
  LiteGraph.NODE_DEFAULT_BGCOLOR = p.body;
  LiteGraph.NODE_DEFAULT_COLOR = p.titleBar;
  LiteGraph.NODE_DEFAULT_BOXCOLOR = p.box;
  LiteGraph.NODE_TITLE_COLOR = p.title;
  LiteGraph.NODE_SELECTED_TITLE_COLOR = p.selectedTitle;
  LiteGraph.NODE_TEXT_COLOR = p.text;
  LiteGraph.WIDGET_BGCOLOR = p.widgetBg;
  LiteGraph.WIDGET_OUTLINE_COLOR = p.widgetOutline;
  LiteGraph.WIDGET_TEXT_COLOR = p.widgetText;
  LiteGraph.WIDGET_SECONDARY_TEXT_COLOR = p.widgetSecondary;
  LiteGraph.WIDGET_DISABLED_TEXT_COLOR = p.widgetDisabled;
  LiteGraph.LINK_COLOR = p.link;
  LiteGraph.DEFAULT_SHADOW_COLOR = p.shadow;
  (LGraphGroup as unknown as { defaultColour: string }).defaultColour = p.group;
  setSocketDarkening(p.socketDarkening);
}

/** Put a theme into effect on a canvas and every node of its workflow (subgraphs included). */
export function applyPalette(canvas: LGraphCanvas, root: LGraph, theme: Theme, grid: boolean): void {
  setGlobalColours(theme);
  const p = PALETTES[theme];
  canvas.clear_background_color = p.background;
  canvas.background_image = grid ? gridImage(p) : "";
  canvas.node_title_color = p.title;
  canvas.default_link_color = p.link;
  const byType = Object.fromEntries(Object.keys(canvas.default_connection_color_byType).map((type) => [type, socketColour(type)]));
  canvas.default_connection_color_byType = byType;
  LGraphCanvas.link_type_colors = { ...LGraphCanvas.link_type_colors, ...byType };
  for (const graph of [root, ...root.subgraphs.values()]) for (const node of graph._nodes) recolourSlots(node);
  canvas.setDirty(true, true);
}

function recolourSlots(node: LGraphNode): void {
  for (const slot of [...node.inputs, ...node.outputs]) {
    if (typeof slot.type === "string" && slot.color_on) slot.color_on = slot.color_off = socketColour(slot.type);
  }
}

/** A faint square grid as litegraph's background pattern (drawn from 50% zoom up). */
function gridImage(p: Palette): string {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 20;
  const ctx = canvas.getContext("2d")!;
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, 20, 20);
  ctx.fillStyle = p.gridLine;
  ctx.fillRect(0, 0, 20, 1);
  ctx.fillRect(0, 0, 1, 20);
  return canvas.toDataURL();
}

let themed = false;

/** Nodes and groups a workflow coloured itself (ComfyUI's colour menu, a missing node's red) are
 *  dark tones made for a dark canvas: in the light theme they are drawn lightened (nodes) or
 *  darkened (a group's title and frame), at draw time only, so the saved colours never change. */
function themeOwnColours(): void {
  if (themed) return;
  themed = true;
  const proto = LGraphNode.prototype;
  for (const name of ["renderingColor", "renderingBgColor"] as const) {
    const getter = Object.getOwnPropertyDescriptor(proto, name)?.get;
    if (!getter) continue;
    const own = name === "renderingColor" ? "color" : "bgcolor";
    Object.defineProperty(proto, name, {
      configurable: true,
      get(this: LGraphNode) {
        const colour = getter.call(this) as string;
        return light && this[own] ? mix(colour, 0.62) : colour;
      },
    });
  }
  const draw = LGraphGroup.prototype.draw;
  LGraphGroup.prototype.draw = function (this: LGraphGroup, canvas, ctx) {
    if (!light) return draw.call(this, canvas, ctx);
    const colour = this.color;
    this.color = mix(colour ?? PALETTES.light.group, -0.35);
    try {
      draw.call(this, canvas, ctx);
    } finally {
      this.color = colour;
    }
  };
}
