// The editor's preferences (theme, canvas grid, link style), kept in localStorage and applied
// to the page and the canvas whenever they change.
import { LiteGraph } from "@comfyorg/litegraph";
import { graph } from "./graph.svelte";

export type Theme = "dark" | "light";
export type LinkStyle = "spline" | "straight" | "linear";

const KEY = "auteur.settings";
const LINK_MODES: Record<LinkStyle, number> = {
  spline: LiteGraph.SPLINE_LINK,
  straight: LiteGraph.STRAIGHT_LINK,
  linear: LiteGraph.LINEAR_LINK,
};
const CANVAS_BACKGROUND: Record<Theme, string> = { dark: "#15171c", light: "#e6e8ec" };

/** Every keyboard shortcut of the canvas, as the settings panel lists them. */
export const SHORTCUTS: readonly (readonly [keys: string, action: string])[] = [
  ["Double-click", "Search nodes (also: drop a link on empty canvas)"],
  ["Ctrl+Enter", "Queue the workflow"],
  ["Ctrl+S", "Save (asks for a name the first time)"],
  ["Ctrl+Shift+S", "Save As…"],
  ["Ctrl+Z / Ctrl+Y", "Undo / redo"],
  ["Ctrl+M", "Mute the selected nodes"],
  ["Ctrl+B", "Bypass the selected nodes"],
  ["Ctrl+G", "Group the selected nodes"],
  ["Delete", "Delete the selected nodes"],
  [".", "Fit the whole graph in view"],
  ["Escape", "Close the open dialog or search"],
];

interface Saved {
  theme: Theme;
  grid: boolean;
  linkStyle: LinkStyle;
}

function read(): Saved {
  const fallback: Saved = { theme: "dark", grid: false, linkStyle: "spline" };
  try {
    const data = JSON.parse(localStorage.getItem(KEY) ?? "{}") as Partial<Saved>;
    return {
      theme: data.theme === "light" ? "light" : "dark",
      grid: data.grid === true,
      linkStyle: data.linkStyle && data.linkStyle in LINK_MODES ? data.linkStyle : "spline",
    };
  } catch {
    return fallback;
  }
}

/** A faint square grid as litegraph's background pattern (drawn from 50% zoom up). */
function gridImage(theme: Theme): string {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 20;
  const ctx = canvas.getContext("2d")!;
  ctx.fillStyle = CANVAS_BACKGROUND[theme];
  ctx.fillRect(0, 0, 20, 20);
  ctx.fillStyle = theme === "dark" ? "#262a33" : "#cfd3da";
  ctx.fillRect(0, 0, 20, 1);
  ctx.fillRect(0, 0, 1, 20);
  return canvas.toDataURL();
}

class SettingsState {
  theme = $state<Theme>("dark");
  grid = $state(false);
  linkStyle = $state<LinkStyle>("spline");

  constructor() {
    const saved = read();
    this.theme = saved.theme;
    this.grid = saved.grid;
    this.linkStyle = saved.linkStyle;
  }

  set<K extends keyof Saved>(key: K, value: Saved[K]): void {
    (this as Saved)[key] = value;
    localStorage.setItem(KEY, JSON.stringify({ theme: this.theme, grid: this.grid, linkStyle: this.linkStyle }));
    this.apply();
  }

  /** Put the preferences into effect on the page and the canvas. */
  apply(): void {
    document.documentElement.dataset.theme = this.theme;
    const canvas = graph.editor?.canvas;
    if (!canvas) return;
    canvas.clear_background_color = CANVAS_BACKGROUND[this.theme];
    canvas.background_image = this.grid ? gridImage(this.theme) : "";
    canvas.links_render_mode = LINK_MODES[this.linkStyle];
    canvas.setDirty(true, true);
  }
}

export const settings = new SettingsState();
