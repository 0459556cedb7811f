// The litegraph canvas: loading and saving workflows, undo/redo, run status on nodes,
// shortcuts, and the hooks the Svelte panels listen to.
import {
  CanvasPointer,
  LGraph,
  LGraphCanvas,
  LGraphEventMode,
  LGraphGroup,
  LGraphNode,
  LiteGraph,
  Subgraph,
  type IContextMenuValue,
} from "@comfyorg/litegraph";
import type { NodeSpec } from "../../generated/api";
import { SOCKET_COLOURS, slotTypesCompatible, socketColour } from "../sockets";
import { MISSING_BG, MISSING_COLOUR, registerCatalog } from "./nodes";
import { alignSockets } from "./align";
import { forLitegraph, isObject, linkShape, type Json } from "./workflow";
import { drawStatus, drawTile, drawZoomedOutLabels, TILE_PX, type NodeRunState } from "./status";
import { enableSubgraphs, unpackSubgraph } from "./subgraphs";
import { setGlobalColours } from "./palette";

export interface SearchRequest {
  x: number;
  y: number;
  canvasPos: [number, number];
  /** When a link was dropped on empty canvas: connect the new node to it. */
  from?: { node: LGraphNode; slot: number; type: string; direction: "output" | "input" };
}

export interface EditorHooks {
  onSelection(nodes: LGraphNode[]): void;
  onChange(): void;
  onSearch(request: SearchRequest): void;
  onDraw(): void;
}

const HISTORY_LIMIT = 100;
const MIN_SCALE = 0.02;

/** Everything one open workflow is, apart from the canvas it is drawn on: what is on it, what
 *  was opened or saved last (for the changed marker and an unchanged save), undo, and the view. */
export interface EditorSnapshot {
  graph: Json;
  original: Json | null;
  originalCanonical: string;
  loadedShape: "arrays" | "objects";
  undoStack: string[];
  redoStack: string[];
  view: { scale: number; offset: [number, number] };
}

export class Editor {
  readonly graph: LGraph;
  readonly canvas: LGraphCanvas;
  readonly catalog = new Map<string, NodeSpec>();
  readonly runState = new Map<string, NodeRunState>();
  /** Node ids (as strings) and the inputs the last validation complained about. */
  readonly problems = new Map<string, { message: string; inputs: string[] }>();

  private original: Json | null = null;
  private originalCanonical = "";
  private loadedShape: "arrays" | "objects" = "arrays";
  private undoStack: string[] = [];
  private redoStack: string[] = [];
  private restoring = false;
  private checkpointTimer: number | undefined;
  /** The subgraphs entered, outermost first; the last is on the canvas. */
  private entered: Subgraph[] = [];

  constructor(
    readonly element: HTMLCanvasElement,
    private readonly hooks: EditorHooks,
  ) {
    configureLiteGraph();
    this.graph = new LGraph();
    enableSubgraphs(this.graph);
    this.canvas = new LGraphCanvas(element, this.graph, { skip_render: false });
    this.setupCanvas();
    this.reset();
  }

  setCatalog(specs: NodeSpec[]): void {
    this.catalog.clear();
    for (const spec of specs) this.catalog.set(spec.type, spec);
    registerCatalog(specs);
    for (const spec of specs) {
      const klass = LiteGraph.registered_node_types[spec.type] as unknown as { category: string; prototype: LGraphNode };
      klass.category = spec.category;
      const editor = this;
      klass.prototype.onDrawForeground = function (this: LGraphNode, ctx: CanvasRenderingContext2D) {
        // Run states and problems are keyed by the workflow's node ids: not shown inside a subgraph.
        const root = this.graph === editor.graph;
        const id = String(this.id);
        drawStatus(this, ctx, root ? editor.runState.get(id) : undefined, root ? editor.problems.get(id) : undefined);
      };
    }
  }

  // ---- documents ------------------------------------------------------------------------

  /** Clear the canvas to an empty workflow. */
  reset(): void {
    this.leaveSubgraph();
    this.graph.clear();
    this.original = null;
    this.loadedShape = "arrays";
    this.runState.clear();
    this.problems.clear();
    this.originalCanonical = this.canonical();
    this.undoStack = [this.originalCanonical];
    this.redoStack = [];
    this.canvas.ds.offset = [0, 0];
    this.canvas.ds.scale = 1;
    this.canvas.setDirty(true, true);
    this.hooks.onChange();
  }

  /** Open a litegraph workflow (either link shape). Unknown node types are kept as "missing". */
  load(workflow: Json): void {
    this.leaveSubgraph();
    this.runState.clear();
    this.problems.clear();
    this.original = structuredClone(workflow);
    this.loadedShape = linkShape(workflow);
    const data = forLitegraph(workflow);
    alignSockets(data, this.catalog);
    const dictValues = this.takeDictWidgetValues(data);
    this.restoring = true;
    try {
      this.graph.configure(data as never);
    } finally {
      this.restoring = false;
    }
    for (const [id, values] of dictValues) this.applyNamedValues(id, values);
    this.growToFit();
    this.markMissing();
    const ds = (isObject(workflow.extra) && isObject(workflow.extra.ds) ? workflow.extra.ds : null) as
      | { scale?: number; offset?: [number, number] }
      | null;
    if (ds?.offset && ds.scale) {
      this.canvas.ds.scale = ds.scale;
      this.canvas.ds.offset = [Number(ds.offset[0]), Number(ds.offset[1])];
    } else {
      this.fitView();
    }
    this.originalCanonical = this.canonical();
    this.undoStack = [this.originalCanonical];
    this.redoStack = [];
    this.canvas.setDirty(true, true);
    this.hooks.onChange();
  }

  /** This workflow as it is now, to put away while another one is shown (a tab switch). */
  snapshot(): EditorSnapshot {
    this.checkpoint();
    return {
      graph: JSON.parse(JSON.stringify(this.graph.serialize())) as Json,
      original: this.original ? structuredClone(this.original) : null,
      originalCanonical: this.originalCanonical,
      loadedShape: this.loadedShape,
      undoStack: [...this.undoStack],
      redoStack: [...this.redoStack],
      view: { scale: this.canvas.ds.scale, offset: [this.canvas.ds.offset[0], this.canvas.ds.offset[1]] },
    };
  }

  /** What an autosave keeps of the workflow shown: as it is, as opened, and the view. Not copied
   *  (it is written out at once) and no undo checkpoint taken: for a 1,000-node graph the full
   *  snapshot cost ~35 ms of the page's time every time the canvas settled. */
  autosaveState(): Pick<EditorSnapshot, "graph" | "original" | "view"> {
    return {
      graph: this.graph.serialize() as unknown as Json,
      original: this.original,
      view: { scale: this.canvas.ds.scale, offset: [this.canvas.ds.offset[0], this.canvas.ds.offset[1]] },
    };
  }

  /** Show a workflow put away by snapshot(), with its changed state, undo history and view. */
  restoreSnapshot(snapshot: EditorSnapshot): void {
    window.clearTimeout(this.checkpointTimer);
    this.leaveSubgraph();
    this.runState.clear();
    this.problems.clear();
    this.restoring = true;
    try {
      this.graph.clear();
      this.graph.configure(structuredClone(snapshot.graph) as never);
      this.markMissing();
    } finally {
      this.restoring = false;
    }
    this.original = snapshot.original ? structuredClone(snapshot.original) : null;
    this.originalCanonical = snapshot.originalCanonical;
    this.loadedShape = snapshot.loadedShape;
    this.undoStack = [...snapshot.undoStack];
    this.redoStack = [...snapshot.redoStack];
    this.canvas.ds.scale = snapshot.view.scale;
    this.canvas.ds.offset = [...snapshot.view.offset];
    this.canvas.deselectAll?.();
    this.hooks.onSelection([]);
    this.canvas.setDirty(true, true);
    this.hooks.onChange();
  }

  /** A workflow restored from an autosave: opened as `original`, then changed to `current`
   *  (so it is marked changed exactly when it was; undo goes back to the opened one). */
  loadChanged(original: Json | null, current: Json, view?: { scale: number; offset: [number, number] }): void {
    if (original) this.load(original);
    else this.reset();
    this.restoring = true;
    try {
      this.graph.clear();
      this.graph.configure(structuredClone(current) as never);
      this.markMissing();
    } finally {
      this.restoring = false;
    }
    if (view) {
      this.canvas.ds.scale = view.scale;
      this.canvas.ds.offset = [...view.offset];
    }
    this.checkpoint();
    this.canvas.setDirty(true, true);
    this.hooks.onChange();
  }

  /** The workflow to save: the document as opened when nothing changed, else litegraph's. */
  serialize(): Json {
    if (this.original && !this.isDirty()) return structuredClone(this.original);
    return this.current();
  }

  /** The graph as litegraph serialises it now, in the link shape it was opened with. */
  current(): Json {
    const data = (this.loadedShape === "objects" ? this.graph.asSerialisable() : this.graph.serialize()) as unknown as Json;
    return JSON.parse(JSON.stringify(data)) as Json;
  }

  isDirty(): boolean {
    return this.canonical() !== this.originalCanonical;
  }

  /** Mark the current state as saved (the next unchanged save writes it back as is). */
  markSaved(saved: Json): void {
    this.original = structuredClone(saved);
    this.originalCanonical = this.canonical();
    this.hooks.onChange();
  }

  private canonical(): string {
    const data = this.graph.serialize() as unknown as Json;
    delete data.extra;
    delete data.revision;
    // A subgraph's input and output slots are laid out while it is drawn: not a change (the
    // first frame inside a subgraph made Ctrl+Z record it and undo nothing the user did).
    const definitions = isObject(data.definitions) ? data.definitions : {};
    for (const subgraph of (definitions.subgraphs as Json[] | undefined) ?? []) {
      for (const slot of [...((subgraph.inputs as Json[] | undefined) ?? []), ...((subgraph.outputs as Json[] | undefined) ?? [])]) delete slot.pos;
    }
    return JSON.stringify(data);
  }

  private takeDictWidgetValues(data: Json): Map<string, Json> {
    const taken = new Map<string, Json>();
    for (const node of (data.nodes as Json[] | undefined) ?? []) {
      if (isObject(node.widgets_values) && this.catalog.has(String(node.type))) {
        taken.set(String(node.id), node.widgets_values);
        delete node.widgets_values;
      }
    }
    return taken;
  }

  private applyNamedValues(id: string, values: Json): void {
    const node = this.graph.getNodeById(id as never);
    for (const widget of node?.widgets ?? []) {
      if (widget.name in values) widget.value = values[widget.name] as never;
    }
  }

  /** Nodes saved smaller than their widgets need grow now, not on the first frame drawn (which
   *  would mark a workflow changed the moment it opened). */
  private growToFit(): void {
    for (const node of this.graph._nodes) {
      const [width, height] = node.computeSize();
      if (node.size[0] < width || node.size[1] < height) {
        node.setSize([Math.max(node.size[0], width), Math.max(node.size[1], height)]);
      }
    }
  }

  /** Nodes whose type the catalog lacks: drawn red and titled as missing; values kept. */
  private markMissing(): void {
    for (const node of this.graph._nodes) {
      if (node.type && this.catalog.has(node.type)) continue;
      if (isFrontendOnly(node.type) || node.isSubgraphNode()) continue;
      const saved = node.last_serialization as { type?: string; title?: string } | undefined;
      const type = saved?.type ?? node.type ?? "?";
      node.color = MISSING_COLOUR;
      node.bgcolor = MISSING_BG;
      node.title = `${saved?.title ?? type} — missing: ${type}`;
      node.has_errors = true;
    }
  }

  missingTypes(): string[] {
    const types = new Set<string>();
    for (const node of this.graph._nodes) {
      if (node.has_errors) {
        const saved = node.last_serialization as { type?: string } | undefined;
        types.add(String(saved?.type ?? node.type));
      }
    }
    return [...types].sort();
  }

  // ---- subgraphs ------------------------------------------------------------------------

  /** The graph the canvas shows: the workflow, or a subgraph entered from one of its instances. */
  get shown(): LGraph {
    return (this.canvas.graph as LGraph | null) ?? this.graph;
  }

  /** The names of the subgraphs entered, outermost first (empty on the workflow itself). */
  subgraphPath(): string[] {
    return this.entered.map((subgraph) => subgraph.name);
  }

  /** Show the subgraph an instance node stands for, to edit what is inside it. */
  enterSubgraph(node: LGraphNode): void {
    if (!node.isSubgraphNode()) return;
    this.canvas.openSubgraph(node.subgraph); // "subgraph-opened" extends the path
  }

  /** Back to the workflow from any depth (the subgraphs' edits are part of it already). */
  leaveSubgraph(): void {
    this.showDepth(0);
  }

  /** Show one level of the path entered: 0 is the workflow, 1 the outermost subgraph, and so on. */
  showDepth(depth: number): void {
    const current = this.canvas.graph === this.graph ? 0 : Math.max(1, this.entered.length);
    if (depth < 0 || depth >= current) return;
    this.checkpoint();
    this.entered = this.entered.slice(0, depth);
    const target = this.entered[depth - 1];
    this.canvas.subgraph = target;
    this.canvas.setGraph(target ?? this.graph);
    this.fitView();
    this.hooks.onChange();
  }

  /** litegraph opens a subgraph itself from an instance's title button: follow it into the path,
   *  one level below the graph it was opened from. */
  private followOpened(subgraph: Subgraph, from: LGraph): void {
    const level = this.entered.indexOf(from as Subgraph);
    this.entered = [...this.entered.slice(0, level + 1), subgraph];
    this.fitView();
    this.hooks.onChange();
  }

  /** After the workflow was configured again (undo, redo), the path names the new subgraph
   *  objects of the same ids, as deep as they still exist. */
  private reopenPath(ids: string[]): void {
    const path: Subgraph[] = [];
    for (const id of ids) {
      const subgraph = this.graph.subgraphs.get(id);
      const parent = path[path.length - 1] ?? this.graph;
      if (!subgraph || !parent._nodes.some((node) => node.isSubgraphNode() && node.subgraph.id === id)) break;
      path.push(subgraph);
    }
    this.entered = path;
    const target = path[path.length - 1];
    this.canvas.subgraph = target;
    this.canvas.setGraph(target ?? this.graph);
  }

  /** Turn the selected nodes into one subgraph instance (litegraph's own conversion). */
  convertSelectionToSubgraph(): void {
    const items = this.canvas.selectedItems;
    if (!items.size) return;
    const shown = this.shown;
    // litegraph reconnects a link entering the selection to the instance input of the link's
    // own type; a widened link (INT into a FLOAT input) would find none and be dropped, so such
    // links take the type of the input they feed first.
    for (const link of shown._links.values()) {
      const target = shown.getNodeById(link.target_id);
      const origin = shown.getNodeById(link.origin_id);
      if (target && items.has(target) && !(origin && items.has(origin))) {
        const input = target.inputs[link.target_slot];
        if (input) link.type = input.type;
      }
    }
    shown.convertToSubgraph(items);
    this.canvas.setDirty(true, true);
    this.checkpoint();
  }

  /** Replace a subgraph instance on the shown graph by its inner nodes, links reconnected
   *  (one undo step brings the instance back). */
  unpackSubgraph(node: LGraphNode): void {
    if (!node.isSubgraphNode()) return;
    const nodes = unpackSubgraph(this.shown, node);
    this.canvas.deselectAll?.();
    for (const copy of nodes) this.canvas.select(copy);
    this.hooks.onSelection(nodes);
    this.canvas.setDirty(true, true);
    this.checkpoint();
  }

  /** The shown graph's nodes as rectangles, and the part of the graph the canvas shows now. */
  overview(): { nodes: [number, number, number, number][]; view: [number, number, number, number] } {
    const title = LiteGraph.NODE_TITLE_HEIGHT;
    const nodes = this.shown._nodes.map((node): [number, number, number, number] => [node.pos[0], node.pos[1] - title, node.size[0], node.size[1] + title]);
    const ds = this.canvas.ds;
    const width = (this.element.clientWidth || 800) / ds.scale;
    const height = (this.element.clientHeight || 600) / ds.scale;
    return { nodes, view: [-ds.offset[0], -ds.offset[1], width, height] };
  }

  /** Centre the canvas on a graph point (a click on the minimap). */
  centreOn(point: [number, number]): void {
    const ds = this.canvas.ds;
    ds.offset = [(this.element.clientWidth || 800) / 2 / ds.scale - point[0], (this.element.clientHeight || 600) / 2 / ds.scale - point[1]];
    this.canvas.setDirty(true, true);
  }

  fitView(): void {
    const nodes = this.shown._nodes;
    if (!nodes.length) return;
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const node of nodes) {
      x0 = Math.min(x0, node.pos[0]);
      y0 = Math.min(y0, node.pos[1] - LiteGraph.NODE_TITLE_HEIGHT);
      x1 = Math.max(x1, node.pos[0] + node.size[0]);
      y1 = Math.max(y1, node.pos[1] + node.size[1]);
    }
    const width = this.element.clientWidth || 800;
    const height = this.element.clientHeight || 600;
    // Big graphs fit too: down to MIN_SCALE, below litegraph's 10% (zoomed-out labels stay readable).
    const scale = Math.max(MIN_SCALE, Math.min(1.1, Math.min(width / (x1 - x0 + 120), height / (y1 - y0 + 120))));
    this.canvas.ds.scale = scale;
    this.canvas.ds.offset = [width / 2 / scale - (x0 + x1) / 2, height / 2 / scale - (y0 + y1) / 2];
    this.canvas.setDirty(true, true);
  }

  // ---- editing --------------------------------------------------------------------------

  addNode(type: string, canvasPos?: [number, number]): LGraphNode | null {
    const node = LiteGraph.createNode(type);
    if (!node) return null;
    const pos = canvasPos ?? this.viewCentre();
    node.pos = [pos[0], pos[1]];
    this.shown.add(node);
    this.canvas.selectNode(node);
    this.checkpoint();
    return node;
  }

  viewCentre(): [number, number] {
    const ds = this.canvas.ds;
    const width = this.element.clientWidth || 800;
    const height = this.element.clientHeight || 600;
    return [width / 2 / ds.scale - ds.offset[0] - 110, height / 2 / ds.scale - ds.offset[1] - 40];
  }

  toCanvas(clientX: number, clientY: number): [number, number] {
    const rect = this.element.getBoundingClientRect();
    const ds = this.canvas.ds;
    return [(clientX - rect.left) / ds.scale - ds.offset[0], (clientY - rect.top) / ds.scale - ds.offset[1]];
  }

  toScreen(pos: [number, number]): [number, number] {
    const ds = this.canvas.ds;
    return [(pos[0] + ds.offset[0]) * ds.scale, (pos[1] + ds.offset[1]) * ds.scale];
  }

  nodeById(id: string | number): LGraphNode | null {
    return this.shown.getNodeById(id as never) ?? null; // the graph on screen: ids repeat inside subgraphs
  }

  selectNode(id: string | number): void {
    // Run errors and notices name the workflow's nodes: go back to it from a subgraph first.
    if (!this.nodeById(id) && this.shown !== this.graph) this.leaveSubgraph();
    const node = this.nodeById(id);
    if (!node) return;
    this.canvas.selectNode(node);
    this.canvas.centerOnNode?.(node);
    this.canvas.setDirty(true, true);
  }

  setWidget(node: LGraphNode, name: string, value: unknown): void {
    const widget = node.widgets?.find((w) => w.name === name);
    if (!widget) return;
    widget.value = value as never;
    widget.callback?.(widget.value, this.canvas, node, this.canvas.graph_mouse, {} as never);
    node.onWidgetChanged?.(name, value, undefined, widget);
    this.canvas.setDirty(true, true);
    this.checkpoint();
  }

  /** Toggle mute (mode 2, dropped from the run) or bypass (mode 4, inputs pass through). */
  toggleMode(mode: LGraphEventMode.NEVER | LGraphEventMode.BYPASS): void {
    const selected = Object.values(this.canvas.selected_nodes);
    if (!selected.length) return;
    const all = selected.every((node) => node.mode === mode);
    for (const node of selected) node.mode = all ? LGraphEventMode.ALWAYS : mode;
    this.canvas.setDirty(true, true);
    this.checkpoint();
  }

  groupSelected(): void {
    const selected = Object.values(this.canvas.selected_nodes);
    if (!selected.length) return;
    const group = new LGraphGroup("Group");
    group.resizeTo(selected, 12);
    this.shown.add(group);
    this.checkpoint();
  }

  // ---- undo / redo ----------------------------------------------------------------------

  /** Record the graph's state if it changed since the last checkpoint (debounced by callers). */
  checkpoint(): void {
    if (this.restoring) return;
    window.clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    const state = this.canonical();
    if (state === this.undoStack[this.undoStack.length - 1]) return;
    this.undoStack.push(state);
    if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
    this.redoStack = [];
    this.hooks.onChange();
  }

  scheduleCheckpoint(): void {
    window.clearTimeout(this.checkpointTimer);
    this.checkpointTimer = window.setTimeout(() => this.checkpoint(), 120);
  }

  canUndo(): boolean {
    return this.undoStack.length > 1;
  }

  canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  undo(): void {
    this.checkpoint();
    if (this.undoStack.length < 2) return;
    this.redoStack.push(this.undoStack.pop()!);
    this.restore(this.undoStack[this.undoStack.length - 1]!);
  }

  redo(): void {
    const state = this.redoStack.pop();
    if (!state) return;
    this.undoStack.push(state);
    this.restore(state);
  }

  private restore(state: string): void {
    this.restoring = true;
    try {
      const ds = { scale: this.canvas.ds.scale, offset: [...this.canvas.ds.offset] as [number, number] };
      const path = this.entered.map((subgraph) => subgraph.id);
      this.graph.configure(JSON.parse(state));
      this.reopenPath(path);
      this.markMissing();
      this.canvas.ds.scale = ds.scale;
      this.canvas.ds.offset = ds.offset;
    } finally {
      this.restoring = false;
    }
    this.canvas.deselectAll?.();
    this.hooks.onSelection([]);
    this.canvas.setDirty(true, true);
    this.hooks.onChange();
  }

  // ---- run status -----------------------------------------------------------------------

  setRunState(nodeId: string, state: NodeRunState | undefined): void {
    if (state) this.runState.set(nodeId, state);
    else this.runState.delete(nodeId);
    this.canvas.setDirty(true, false);
  }

  /** Forget the run states of nodes still in one of `statuses`. */
  dropRunStates(statuses: NodeRunState["status"][]): void {
    for (const [id, state] of this.runState) if (statuses.includes(state.status)) this.runState.delete(id);
    this.canvas.setDirty(true, false);
  }

  clearRunState(): void {
    this.runState.clear();
    this.canvas.setDirty(true, false);
  }

  setProblems(problems: { node_id?: string | null; input?: string | null; message: string }[]): void {
    this.problems.clear();
    for (const problem of problems) {
      if (!problem.node_id) continue;
      const id = problem.node_id.split(":")[0]!;
      const entry = this.problems.get(id) ?? { message: problem.message, inputs: [] };
      if (problem.input) entry.inputs.push(problem.input);
      this.problems.set(id, entry);
    }
    this.canvas.setDirty(true, false);
  }

  // ---- setup ----------------------------------------------------------------------------

  private setupCanvas(): void {
    const canvas = this.canvas;
    const element = this.element;
    // Browsers and desktops count two clicks within 500 ms as a double-click; litegraph's
    // 300 ms misses slower hands (and a busy machine's input), so search would not open.
    CanvasPointer.doubleClickTime = 500;
    canvas.ds.min_scale = MIN_SCALE;
    canvas.background_image = "";
    canvas.clear_background_color = "#15171c";
    canvas.render_canvas_border = false;
    canvas.allow_searchbox = true;
    canvas.show_info = false;
    canvas.links_render_mode = LiteGraph.SPLINE_LINK;
    const byType = Object.fromEntries(Object.keys(SOCKET_COLOURS).map((type) => [type, socketColour(type)]));
    canvas.default_connection_color_byType = byType;
    LGraphCanvas.link_type_colors = { ...LGraphCanvas.link_type_colors, ...byType };
    canvas.showSearchBox = ((event: MouseEvent, options?: { node_from?: LGraphNode; node_to?: LGraphNode; slot_from?: { type?: unknown; name?: string } }) => {
      const from = options?.node_from ?? options?.node_to;
      let link: SearchRequest["from"];
      if (from && options?.slot_from) {
        const direction = options.node_from ? "output" : "input";
        const slots = direction === "output" ? from.outputs : from.inputs;
        const slot = slots.findIndex((s) => s === options.slot_from || s.name === options.slot_from?.name);
        link = { node: from, slot: Math.max(0, slot), type: String(options.slot_from.type ?? "*"), direction };
      }
      this.hooks.onSearch({
        x: event.clientX,
        y: event.clientY,
        canvasPos: this.toCanvas(event.clientX, event.clientY),
        from: link,
      });
      return document.createElement("div");
    }) as never;
    // litegraph's menu entry carries an emoji this page may have no font for (a tofu box).
    const plainLabels = (options: (IContextMenuValue<string> | null)[]) =>
      options.map((option) =>
        option && typeof option.content === "string" && option.content.startsWith("Convert to Subgraph")
          ? { ...option, content: "Convert to Subgraph", callback: () => this.convertSelectionToSubgraph() }
          : option,
      );
    const nodeMenu = canvas.getNodeMenuOptions.bind(canvas);
    canvas.getNodeMenuOptions = (node) => {
      const options = plainLabels(nodeMenu(node) as never);
      if (node.isSubgraphNode()) {
        const at = options.findIndex((option) => option?.content === "Convert to Subgraph");
        options.splice(at + 1, 0, { content: "Unpack Subgraph", callback: () => this.unpackSubgraph(node) });
      }
      return options as never;
    };
    const canvasMenu = canvas.getCanvasMenuOptions.bind(canvas);
    canvas.getCanvasMenuOptions = () => plainLabels(canvasMenu() as never) as never;
    element.addEventListener("litegraph:set-graph", () => this.hooks.onChange());
    element.addEventListener("subgraph-opened", (event) => {
      const { subgraph, closingGraph } = (event as CustomEvent<{ subgraph: Subgraph; closingGraph: LGraph }>).detail;
      this.followOpened(subgraph, closingGraph);
    });
    // A link dropped on empty canvas opens the node search, filtered to nodes that fit the link
    // and placing the node where it was dropped (litegraph opened its own slot menu there).
    canvas.showConnectionMenu = (options) => {
      const event = options.e as MouseEvent | undefined;
      if (!event) return undefined;
      const slotOf = (node: LGraphNode, slot: unknown, outputs: boolean) =>
        typeof slot === "number" ? (outputs ? node.outputs[slot] : node.inputs[slot]) : slot;
      if (options.nodeFrom instanceof LGraphNode && options.slotFrom != null) {
        canvas.showSearchBox(event, { node_from: options.nodeFrom, slot_from: slotOf(options.nodeFrom, options.slotFrom, true) as never });
      } else if (options.nodeTo instanceof LGraphNode && options.slotTo != null) {
        canvas.showSearchBox(event, { node_to: options.nodeTo, slot_from: slotOf(options.nodeTo, options.slotTo, false) as never });
      }
      return undefined;
    };
    canvas.onSelectionChange = () => this.hooks.onSelection(Object.values(canvas.selected_nodes));
    canvas.getExtraMenuOptions = (_canvas: LGraphCanvas, options: IContextMenuValue<string>[]) => {
      const extra: IContextMenuValue<string>[] = [
        null as never,
        { content: "Search nodes…  (double-click)", callback: () => this.openSearchAtCentre() },
        { content: "Fit view", callback: () => this.fitView() },
      ];
      void options;
      return extra;
    };
    const drawNode = canvas.drawNode.bind(canvas);
    canvas.drawNode = (node, ctx) => {
      const scale = canvas.ds.scale;
      if (node.size[0] * scale >= TILE_PX || node.flags?.collapsed) {
        drawNode(node, ctx);
        return;
      }
      // Slots placed as a full drawing places them: links are drawn to these positions.
      node._setConcreteSlots();
      node.arrange();
      const root = node.graph === this.graph;
      const id = String(node.id);
      drawTile(node, ctx, scale, root ? this.runState.get(id) : undefined, root ? this.problems.get(id) : undefined);
    };
    const onDrawForeground = canvas.onDrawForeground;
    canvas.onDrawForeground = (ctx, area) => {
      onDrawForeground?.call(canvas, ctx, area);
      // After every node is drawn (widgets included), so the labels are on top.
      if (canvas.low_quality) this.drawZoomedOutLabels(ctx, area);
      this.hooks.onDraw();
    };
    this.graph.onAfterChange = () => this.scheduleCheckpoint();
    // A link made or removed shows in the inspector at once, not after the checkpoint's delay.
    this.graph.onConnectionChange = () => {
      this.hooks.onChange();
      this.scheduleCheckpoint();
    };
    this.graph.onNodeAdded = () => this.scheduleCheckpoint();
    this.graph.onNodeRemoved = () => this.scheduleCheckpoint();
    this.element.addEventListener("pointerup", () => this.scheduleCheckpoint());
    this.element.addEventListener("keyup", () => this.scheduleCheckpoint());
  }

  private drawZoomedOutLabels(ctx: CanvasRenderingContext2D, area: ArrayLike<number>): void {
    const [ax, ay, aw, ah] = [area[0]!, area[1]!, area[2]!, area[3]!];
    for (const node of this.shown._nodes) {
      const [x, y] = node.pos;
      const [w, h] = node.size;
      if (x > ax + aw || y > ay + ah || x + w < ax || y + h < ay - LiteGraph.NODE_TITLE_HEIGHT) continue;
      if (w * this.canvas.ds.scale < 48) continue; // too small on screen for any word to fit
      ctx.save();
      ctx.translate(x, y);
      drawZoomedOutLabels(node, ctx, this.canvas.ds.scale);
      ctx.restore();
    }
  }

  openSearchAtCentre(): void {
    const rect = this.element.getBoundingClientRect();
    const x = rect.left + rect.width / 2;
    const y = rect.top + rect.height / 3;
    this.hooks.onSearch({ x, y, canvasPos: this.toCanvas(x, y) });
  }

  /** Connect a node created from the search box to the link that was dropped. */
  connectFrom(from: NonNullable<SearchRequest["from"]>, node: LGraphNode): void {
    if (from.direction === "output") {
      const index = node.inputs.findIndex((input) => slotTypesCompatible(from.type, input.type));
      if (index >= 0) from.node.connect(from.slot, node, index);
    } else {
      const index = node.outputs.findIndex((output) => slotTypesCompatible(output.type, from.type));
      if (index >= 0) node.connect(index, from.node, from.slot);
    }
    this.checkpoint();
  }

  resize(): void {
    const parent = this.element.parentElement;
    if (!parent) return;
    const ratio = window.devicePixelRatio || 1;
    const { clientWidth: w, clientHeight: h } = parent;
    this.element.style.width = `${w}px`;
    this.element.style.height = `${h}px`;
    this.element.width = Math.max(1, Math.floor(w * ratio));
    this.element.height = Math.max(1, Math.floor(h * ratio));
    this.canvas.ds.element = this.element;
    this.canvas.setDirty(true, true);
  }

  /** Render one frame now and say how long it took (used by the bench). */
  drawNow(): number {
    const start = performance.now();
    this.canvas.draw(true, true);
    return performance.now() - start;
  }
}

const FRONTEND_ONLY = new Set(["Reroute", "Note", "MarkdownNote", "PrimitiveNode"]);

export function isFrontendOnly(type: string | null | undefined): boolean {
  return !!type && FRONTEND_ONLY.has(type);
}

let configured = false;

function configureLiteGraph(): void {
  if (configured) return;
  configured = true;
  LiteGraph.isValidConnection = (a: unknown, b: unknown) => slotTypesCompatible(a, b);
  LiteGraph.release_link_on_empty_shows_menu = true;
  LiteGraph.alt_drag_do_clone_nodes = true;
  LiteGraph.middle_click_slot_add_default_node = true;
  setGlobalColours("dark"); // the settings' theme follows once the canvas exists
  LiteGraph.NODE_TITLE_HEIGHT = 30;
  LiteGraph.NODE_WIDGET_HEIGHT = 22;
  LiteGraph.NODE_DEFAULT_SHAPE = LiteGraph.ROUND_SHAPE;
  LiteGraph.snaps_for_comfy = true;
  LiteGraph.saveViewportWithGraph = false;
  LiteGraph.use_uuids = false;
}
