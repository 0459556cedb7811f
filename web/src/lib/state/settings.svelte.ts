// The editor's preferences (theme, canvas grid, link style), kept in localStorage and applied
// to the page and the canvas (its nodes, widgets, links and groups too) whenever they change.
import { LiteGraph } from "@comfyorg/litegraph";
import { applyPalette, type Theme } from "../graph/palette";
import { graph } from "./graph.svelte";

export type { Theme };
export type LinkStyle = "spline" | "straight" | "linear";

const KEY = "auteur.settings";
const LINK_MODES: Record<LinkStyle, number> = {
  spline: LiteGraph.SPLINE_LINK,
  straight: LiteGraph.STRAIGHT_LINK,
  linear: LiteGraph.LINEAR_LINK,
};

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
    const editor = graph.editor;
    if (!editor) return;
    editor.canvas.links_render_mode = LINK_MODES[this.linkStyle];
    applyPalette(editor.canvas, editor.graph, this.theme, this.grid);
  }
}

export const settings = new SettingsState();
