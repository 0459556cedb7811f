// The open graph: the node catalog, the litegraph editor, its name and saved/undo state, and the
// outputs its nodes produced in the latest run.
import type { LGraphNode } from "@comfyorg/litegraph";
import type { NodeSpec } from "../../generated/api";
import { api } from "../api";
import type { Editor } from "../graph/editor";
import { graphKind, isObject, type Json } from "../graph/workflow";
import { project } from "./project.svelte";
import { ui } from "./ui.svelte";

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
  /** Bumped whenever a node's widgets, links or outputs change, so views reading them re-derive. */
  version = $state(0);

  editor: Editor | null = null;
  private nodeOutputs = new Map<string, Record<string, unknown>>();

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
    if (!editor || !this.confirmDiscard()) return;
    const kind = graphKind(data);
    let workflow: Json;
    if (!isObject(data)) throw new Error(`${name} is not a JSON object`);
    if (kind === "workflow") workflow = data;
    else if (kind === "template" && isObject(data.workflow)) workflow = data.workflow;
    else if (kind === "api") workflow = (await api.convert(data, "workflow")).graph;
    else throw new Error(`${name} is not a workflow, template or API prompt`);
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
    await project.refreshWorkflows();
    this.changed();
    ui.notify({ kind: "success", title: `Saved ${info.name}`, body: info.path });
  }

  async openWorkflow(name: string): Promise<void> {
    const target = project.name;
    if (!target) return;
    await this.openDocument(await api.workflow(target, name), name);
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
