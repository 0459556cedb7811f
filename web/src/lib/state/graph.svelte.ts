// The open graph: the node catalog, the litegraph editor, its name and saved/undo state, and the
// outputs its nodes produced in the latest run.
import type { LGraphNode } from "@comfyorg/litegraph";
import type { NodeSpec } from "../../generated/api";
import { api } from "../api";
import { readAutosave, writeAutosave, type SavedWorkflow } from "../graph/autosave";
import type { Editor, EditorSnapshot } from "../graph/editor";
import { graphKind, isObject, type Json } from "../graph/workflow";
import { project } from "./project.svelte";
import { ui } from "./ui.svelte";

/** One open workflow's tab: the active one is on the canvas, the others are put away. */
export interface WorkflowTab {
  id: number;
  name: string;
  dirty: boolean;
}

interface Parked {
  snapshot: EditorSnapshot;
  savedName: string | null;
  outputs: Map<string, Record<string, unknown>>;
}

const AUTOSAVE_DELAY_MS = 800;

/** `work` when the page is idle (at the latest a moment later); Safari has no requestIdleCallback. */
function whenIdle(work: () => void): void {
  if (typeof window.requestIdleCallback === "function") window.requestIdleCallback(work, { timeout: AUTOSAVE_DELAY_MS });
  else setTimeout(work, 0);
}

class GraphState {
  catalog = $state<NodeSpec[]>([]);
  failedPacks = $state<{ pack: string; message: string }[]>([]);
  workflowName = $state("Untitled");
  /** The name Ctrl+S saves under: the workflow or file opened, or the name last saved as; null for
   *  a new canvas or a template (its title is no file name) — Ctrl+S then asks for one. */
  savedName = $state<string | null>(null);
  dirty = $state(false);
  canUndo = $state(false);
  canRedo = $state(false);
  missing = $state<string[]>([]);
  showMinimap = $state(localStorage.getItem("auteur.minimap") !== "off");
  /** Bumped whenever a node's widgets, links or outputs change, so views reading them re-derive. */
  version = $state(0);

  /** The open workflows, in tab order; `activeTab` is the one on the canvas. */
  tabs = $state<WorkflowTab[]>([{ id: 1, name: "Untitled", dirty: false }]);
  activeTab = $state(1);

  editor: Editor | null = null;
  private nodeOutputs = new Map<string, Record<string, unknown>>();
  private parked = new Map<number, Parked>();
  private nextTab = 2;
  private autosaveTimer: ReturnType<typeof setTimeout> | undefined;
  private autosaveWarned = false;
  private restored = false;
  /** The project the open workflows belong to (their autosave is kept under its name). */
  private autosaveProject: string | null = null;

  toggleMinimap(): void {
    this.showMinimap = !this.showMinimap;
    localStorage.setItem("auteur.minimap", this.showMinimap ? "on" : "off");
  }

  setCatalog(nodes: NodeSpec[], failed: { pack: string; message: string }[]): void {
    this.catalog = nodes;
    this.failedPacks = failed;
    this.editor?.setCatalog(nodes);
  }

  /** Read the editor's undo/dirty/missing facts after any change on the canvas. */
  changed(): void {
    const editor = this.editor;
    if (!editor) return;
    this.dirty = editor.isDirty();
    this.canUndo = editor.canUndo();
    this.canRedo = editor.canRedo();
    this.missing = editor.missingTypes();
    this.version += 1;
    this.syncTab();
    this.scheduleAutosave();
  }

  /** The active tab's label and changed marker follow the workflow's. */
  private syncTab(): void {
    const tab = this.tabs.find((t) => t.id === this.activeTab);
    if (tab && (tab.name !== this.workflowName || tab.dirty !== this.dirty)) {
      tab.name = this.workflowName;
      tab.dirty = this.dirty;
    }
  }

  // ---- tabs -------------------------------------------------------------------------------

  /** Put the workflow on the canvas away (its graph, changed state, undo, outputs, view). */
  private park(): void {
    const editor = this.editor;
    if (!editor) return;
    this.syncTab();
    this.parked.set(this.activeTab, { snapshot: editor.snapshot(), savedName: this.savedName, outputs: this.nodeOutputs });
  }

  /** Show another open workflow; the one shown now keeps everything it had. */
  switchTab(id: number): void {
    const parked = this.parked.get(id);
    if (id === this.activeTab || !parked || !this.editor) return;
    this.park();
    this.parked.delete(id);
    this.activeTab = id;
    this.workflowName = this.tabs.find((t) => t.id === id)?.name ?? "Untitled";
    this.savedName = parked.savedName;
    this.nodeOutputs = parked.outputs;
    ui.selection = { kind: "none" };
    this.editor.restoreSnapshot(parked.snapshot);
  }

  /** A new, empty workflow in a tab of its own. */
  newTab(): void {
    if (!this.editor) return;
    this.park();
    const id = this.nextTab++;
    this.tabs = [...this.tabs, { id, name: "Untitled", dirty: false }];
    this.activeTab = id;
    this.workflowName = "Untitled";
    this.savedName = null;
    this.nodeOutputs = new Map();
    ui.selection = { kind: "none" };
    this.editor.reset();
  }

  /** Close a tab, asking first when it has unsaved changes; the last one becomes a new canvas. */
  closeTab(id: number): void {
    const tab = this.tabs.find((t) => t.id === id);
    if (!tab) return;
    if (tab.dirty && !window.confirm(`Close “${tab.name}” and discard its unsaved changes?`)) return;
    if (this.tabs.length === 1) {
      this.editor?.reset();
      this.nodeOutputs.clear();
      this.workflowName = "Untitled";
      this.savedName = null;
      this.changed();
      return;
    }
    if (id === this.activeTab) {
      const index = this.tabs.indexOf(tab);
      this.switchTab((this.tabs[index + 1] ?? this.tabs[index - 1])!.id);
    }
    this.parked.delete(id);
    this.tabs = this.tabs.filter((t) => t.id !== id);
    this.scheduleAutosave();
  }

  // ---- autosave ---------------------------------------------------------------------------

  private scheduleAutosave(): void {
    if (!this.restored) return;
    clearTimeout(this.autosaveTimer);
    // Written when the page is idle: never in the way of a click or a run's updates.
    this.autosaveTimer = setTimeout(() => whenIdle(() => this.autosaveNow()), AUTOSAVE_DELAY_MS);
  }

  /** Write every open workflow to the browser's storage now (also when the page goes away). */
  autosaveNow(): void {
    const editor = this.editor;
    clearTimeout(this.autosaveTimer);
    if (!editor || !this.restored) return;
    const saved = (id: number, snapshot: Pick<EditorSnapshot, "graph" | "original" | "view">, savedName: string | null): SavedWorkflow => ({
      name: this.tabs.find((t) => t.id === id)?.name ?? "Untitled",
      savedName,
      original: snapshot.original,
      graph: snapshot.graph,
      view: snapshot.view,
    });
    const workflows = this.tabs.map((tab) => {
      if (tab.id === this.activeTab) return saved(tab.id, editor.autosaveState(), this.savedName);
      const parked = this.parked.get(tab.id)!;
      return saved(tab.id, parked.snapshot, parked.savedName);
    });
    const active = this.tabs.findIndex((t) => t.id === this.activeTab);
    if (!writeAutosave(this.autosaveProject, { active, workflows }) && !this.autosaveWarned) {
      this.autosaveWarned = true;
      ui.notify({ kind: "error", title: "Autosave failed", body: "The browser's storage is full: save your workflows in the project (Ctrl+S)." });
    }
  }

  /** Open the project's workflows as autosaved by the last session, each in its tab, changed or
   *  not as it was (a new canvas when it has none). The workflows open now are autosaved under
   *  their own project first: each project keeps its own canvas. */
  restoreAutosave(projectName: string | null): void {
    const editor = this.editor;
    if (this.restored && projectName === this.autosaveProject) return;
    if (this.restored) this.autosaveNow();
    this.autosaveProject = projectName;
    this.parked.clear();
    const autosave = readAutosave(projectName);
    if (editor && !autosave && this.restored) {
      this.tabs = [{ id: 1, name: "Untitled", dirty: false }];
      this.activeTab = 1;
      this.nextTab = 2;
      this.workflowName = "Untitled";
      this.savedName = null;
      this.nodeOutputs = new Map();
      ui.selection = { kind: "none" };
      editor.reset();
      this.changed();
    }
    if (editor && autosave) {
      this.tabs = autosave.workflows.map((w, index) => ({ id: index + 1, name: w.name, dirty: false }));
      this.nextTab = autosave.workflows.length + 1;
      const order = autosave.workflows.map((_, index) => index).filter((index) => index !== autosave.active);
      for (const index of [...order, autosave.active]) {
        const workflow = autosave.workflows[index]!;
        this.activeTab = index + 1;
        this.workflowName = workflow.name;
        this.savedName = workflow.savedName;
        this.nodeOutputs = new Map();
        try {
          editor.loadChanged(workflow.original, workflow.graph, workflow.view);
        } catch (error) {
          editor.reset();
          ui.reportError(`Could not restore “${workflow.name}”`, error);
        }
        if (index !== autosave.active) this.park();
      }
      this.changed();
    }
    this.restored = true;
  }


  selectNodes(nodes: LGraphNode[]): void {
    if (nodes.length === 1) ui.selection = { kind: "node", nodeId: String(nodes[0]!.id) };
    else if (ui.selection.kind === "node") ui.selection = { kind: "none" };
  }

  focusNode(nodeId: string): void {
    const id = nodeId.split(":")[0]!;
    ui.centerTab = "canvas";
    this.editor?.selectNode(id);
    ui.selection = { kind: "node", nodeId: id };
  }

  outputsOf(nodeId: string): Record<string, unknown> | undefined {
    return this.nodeOutputs.get(nodeId);
  }

  setOutputs(nodeId: string, outputs: Record<string, unknown>): void {
    this.nodeOutputs.set(nodeId.split(":")[0]!, outputs);
  }

  /** Open any JSON the editor understands: workflow, template (its workflow), or API prompt. */
  async openDocument(data: unknown, name: string): Promise<void> {
    const editor = this.editor;
    if (!editor) return;
    const kind = graphKind(data);
    let workflow: Json;
    if (!isObject(data)) throw new Error(`${name} is not a JSON object`);
    if (kind === "workflow") workflow = data;
    else if (kind === "template" && isObject(data.workflow)) workflow = data.workflow;
    else if (kind === "api") workflow = (await api.convert(data, "workflow")).graph;
    else throw new Error(`${name} is not a workflow, template or API prompt`);
    // Unsaved changes are never discarded: the document opens in a tab of its own.
    if (this.dirty) this.newTab();
    editor.load(workflow);
    this.nodeOutputs.clear();
    this.workflowName = name.replace(/\.json$/i, "");
    this.savedName = kind === "template" ? null : this.workflowName;
    ui.selection = { kind: "none" };
    ui.centerTab = "canvas";
    this.changed();
    if (this.missing.length) {
      ui.notify({
        kind: "error",
        title: `${this.missing.length} node type(s) missing`,
        body: `${this.missing.join(", ")} — shown in red; their saved values are kept.`,
      });
    }
  }

  async save(name = this.workflowName): Promise<void> {
    const editor = this.editor;
    const target = project.name;
    if (!editor || !target) {
      ui.notify({ kind: "error", title: "Choose a project first", body: "Workflows are saved in the project." });
      return;
    }
    const workflow = editor.serialize();
    const info = await api.saveWorkflow(target, name, workflow);
    editor.markSaved(workflow);
    this.workflowName = info.name;
    this.savedName = info.name;
    this.changed();
    ui.notify({ kind: "success", title: `Saved ${info.name}`, body: info.path });
    // The save is done once the server answered: the workflow lists follow on their own (a save
    // dialog waited for two more round trips and lingered seconds on a busy machine).
    void project.refreshWorkflows().catch((error: unknown) => ui.reportError("Could not list the workflows", error));
  }

  /** Save in place under the workflow's name; a workflow without one asks for it (Save As). */
  saveOrAsk(): void {
    if (this.savedName === null) ui.dialog = "save-workflow";
    else void this.save(this.savedName).catch((e: unknown) => ui.reportError("Save failed", e));
  }

  async openWorkflow(name: string): Promise<void> {
    const target = project.name;
    if (!target) return;
    await this.openDocument(await api.workflow(target, name), name);
  }

  /** One of the caller's own workflows (Save keeps it in the open project). */
  async openUserWorkflow(name: string): Promise<void> {
    await this.openDocument(await api.userWorkflow(name), name.split("/").pop() ?? name);
  }

  /** True when nothing unsaved would be lost, or the user agrees to lose it. */
  confirmDiscard(): boolean {
    return !this.dirty || window.confirm(`Discard the unsaved changes to “${this.workflowName}”?`);
  }

  /** A name the project accepts, offered when saving a canvas that has none yet (a template's
   *  title such as "Screenplay → shot list" is not a file name). */
  suggestedName(): string {
    if (this.workflowName === "Untitled") return "";
    return this.workflowName.replace(/[^A-Za-z0-9 _.-]+/g, "-").replace(/-{2,}/g, "-").replace(/^[-\s]+|[-\s]+$/g, "");
  }

  download(): void {
    const editor = this.editor;
    if (!editor) return;
    const blob = new Blob([JSON.stringify(editor.serialize(), null, 1)], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `${this.workflowName || "workflow"}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  newWorkflow(): void {
    if (!this.confirmDiscard()) return;
    this.editor?.reset();
    this.nodeOutputs.clear();
    this.workflowName = "Untitled";
    this.savedName = null;
    this.changed();
  }

  clearOutputs(): void {
    this.nodeOutputs.clear();
  }
}

export const graph = new GraphState();
