// Application state and actions shared by the panels (Svelte 5 runes in a module).
import type { LGraphNode } from "@comfyorg/litegraph";
import type { Asset, ErrorInfo, NodeSpec, ProjectSummary, ServerEvent, ShotTakes, TreeNode } from "../generated/api";
import { api, ApiError, graphErrors, type GraphError, type ProjectManifest, type WorkflowInfo } from "./api";
import { clientId, dispatch, EventStream, type ConnectionState, type EventHandlers } from "./events";
import type { Editor } from "./graph/editor";
import type { NodeRunState, NodeStatus } from "./graph/status";
import { graphKind, isObject, type Json } from "./graph/workflow";

export type CenterTab = "canvas" | "scene" | "asset";
export type LeftTab = "project" | "assets" | "nodes";

export type Selection =
  | { kind: "none" }
  | { kind: "node"; nodeId: string }
  | { kind: "take"; shot: string; take: number; path: string }
  | { kind: "asset"; asset: Asset }
  | { kind: "file"; path: string; title: string };

export interface RunView {
  runId: string;
  status: string;
  label: string;
  nodes: Record<string, { type: string; status: NodeStatus; progress: number; step?: string | null }>;
  error: ErrorInfo | null;
  warning?: string;
  createdAt: number;
}

export interface Notice {
  id: number;
  kind: "info" | "success" | "error" | "take" | "asset";
  title: string;
  body?: string;
  nodeId?: string;
  path?: string;
  at: number;
}

const TERMINAL = new Set(["completed", "failed", "cancelled", "interrupted"]);

class AppState {
  catalog = $state<NodeSpec[]>([]);
  failedPacks = $state<{ pack: string; message: string }[]>([]);
  projects = $state<ProjectSummary[]>([]);
  project = $state<ProjectManifest | null>(null);
  tree = $state<TreeNode | null>(null);
  assets = $state<Asset[]>([]);
  takes = $state<ShotTakes[]>([]);
  workflows = $state<WorkflowInfo[]>([]);
  selection = $state<Selection>({ kind: "none" });
  selectedScene = $state<string | null>(null);
  selectedNodeVersion = $state(0);
  runs = $state<RunView[]>([]);
  notices = $state<Notice[]>([]);
  connection = $state<ConnectionState>("connecting");
  connectionDetail = $state("");
  centerTab = $state<CenterTab>("canvas");
  leftTab = $state<LeftTab>("project");
  workflowName = $state("Untitled");
  dirty = $state(false);
  canUndo = $state(false);
  canRedo = $state(false);
  tier = $state<"low" | "standard" | "high">("standard");
  missing = $state<string[]>([]);
  ready = $state(false);
  dialog = $state<null | "new-project" | "open-workflow" | "save-workflow" | "templates" | "save-template">(null);

  editor: Editor | null = null;
  readonly clientId = clientId();
  readonly stream = new EventStream(this.clientId, {
    onEvent: (event) => this.handleEvent(event),
    onState: (state, detail) => {
      this.connection = state;
      this.connectionDetail = detail;
    },
    onOpen: () => this.resubscribe(),
  });
  private noticeId = 0;
  private nodeOutputs = new Map<string, Record<string, unknown>>();
  /** Events of a run that arrive before its POST /api/runs answer does, replayed after it. */
  private early = new Map<string, ServerEvent[]>();

  // ---- start-up --------------------------------------------------------------------------

  async init(): Promise<void> {
    const catalog = await api.catalog();
    this.catalog = catalog.nodes;
    this.failedPacks = catalog.failed_packs.map((f) => ({ pack: f.pack, message: f.message }));
    this.editor?.setCatalog(catalog.nodes);
    this.stream.connect();
    await this.loadProjects();
    const last = localStorage.getItem("auteur.project");
    const pick = this.projects.find((p) => p.name === last || p.id === last) ?? this.projects[0];
    if (pick) await this.selectProject(pick.name);
    this.ready = true;
  }

  async loadProjects(): Promise<void> {
    this.projects = (await api.projects()).items;
  }

  async selectProject(name: string): Promise<void> {
    this.project = await api.project(name);
    this.tier = this.project.quality;
    localStorage.setItem("auteur.project", this.project.name);
    this.resubscribe();
    await this.refreshProject();
  }

  async refreshProject(): Promise<void> {
    const project = this.project;
    if (!project) return;
    const [tree, assets, takes, workflows] = await Promise.all([
      api.tree(project.name),
      api.assets(project.name),
      api.takes(project.name),
      api.workflows(project.name),
    ]);
    this.tree = tree;
    this.assets = assets.items;
    this.takes = takes.shots;
    this.workflows = workflows.items;
  }

  private resubscribe(): void {
    const runs = this.runs.filter((run) => !TERMINAL.has(run.status)).map((run) => run.runId);
    this.stream.send({ type: "subscribe", runs, projects: this.project ? [this.project.name] : [] });
  }

  // ---- notices ---------------------------------------------------------------------------

  notify(notice: Omit<Notice, "id" | "at">): void {
    this.notices = [{ ...notice, id: ++this.noticeId, at: Date.now() }, ...this.notices].slice(0, 50);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((notice) => notice.id !== id);
  }

  reportError(title: string, error: unknown): void {
    const body = error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
    this.notify({ kind: "error", title, body });
  }

  // ---- editor sync -----------------------------------------------------------------------

  editorChanged(): void {
    const editor = this.editor;
    if (!editor) return;
    this.dirty = editor.isDirty();
    this.canUndo = editor.canUndo();
    this.canRedo = editor.canRedo();
    this.missing = editor.missingTypes();
    this.selectedNodeVersion += 1;
  }

  selectNodes(nodes: LGraphNode[]): void {
    if (nodes.length === 1) this.selection = { kind: "node", nodeId: String(nodes[0]!.id) };
    else if (this.selection.kind === "node") this.selection = { kind: "none" };
  }

  outputsOf(nodeId: string): Record<string, unknown> | undefined {
    return this.nodeOutputs.get(nodeId);
  }

  // ---- files -----------------------------------------------------------------------------

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
    editor.load(workflow);
    this.nodeOutputs.clear();
    this.workflowName = name.replace(/\.json$/i, "");
    this.selection = { kind: "none" };
    this.centerTab = "canvas";
    this.editorChanged();
    if (this.missing.length) {
      this.notify({
        kind: "error",
        title: `${this.missing.length} node type(s) missing`,
        body: `${this.missing.join(", ")} — shown in red; their saved values are kept.`,
      });
    }
  }

  async saveWorkflow(name = this.workflowName): Promise<void> {
    const editor = this.editor;
    if (!editor || !this.project) {
      this.notify({ kind: "error", title: "Choose a project first", body: "Workflows are saved in the project." });
      return;
    }
    const workflow = editor.serialize();
    const info = await api.saveWorkflow(this.project.name, name, workflow);
    editor.markSaved(workflow);
    this.workflowName = info.name;
    this.workflows = (await api.workflows(this.project.name)).items;
    this.editorChanged();
    this.notify({ kind: "success", title: `Saved ${info.name}`, body: info.path });
  }

  async openWorkflow(name: string): Promise<void> {
    if (!this.project) return;
    await this.openDocument(await api.workflow(this.project.name, name), name);
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
    this.editor?.reset();
    this.nodeOutputs.clear();
    this.workflowName = "Untitled";
    this.editorChanged();
  }

  // ---- runs ------------------------------------------------------------------------------

  async queue(): Promise<void> {
    const editor = this.editor;
    if (!editor) return;
    editor.setProblems([]);
    const graph = editor.current();
    try {
      // Validate first: problems come back as data (200), highlighted on the nodes concerned.
      const checked = await api.validate(graph);
      const blocking = checked.errors.filter((e) => e.code !== "maturity_insufficient");
      if (blocking.length) {
        this.showProblems(blocking);
        return;
      }
      const accepted = await api.submitRun({
        graph,
        project: this.project?.name ?? null,
        tier: this.tier,
        client_id: this.clientId,
      });
      editor.clearRunState();
      const nodes: RunView["nodes"] = {};
      for (const node of editor.graph._nodes) {
        if (node.mode === 0 && node.type && editor.catalog.has(node.type)) {
          nodes[String(node.id)] = { type: node.type, status: "pending", progress: 0 };
        }
      }
      this.runs = [
        {
          runId: accepted.run_id,
          status: "queued",
          label: this.workflowName,
          nodes,
          error: null,
          warning: accepted.warning ?? undefined,
          createdAt: Date.now(),
        },
        ...this.runs,
      ].slice(0, 30);
      for (const id of Object.keys(nodes)) editor.setRunState(id, { status: "queued" });
      const early = this.early.get(accepted.run_id) ?? [];
      this.early.delete(accepted.run_id);
      for (const event of early) this.handleEvent(event);
    } catch (error) {
      const problems = graphErrors(error);
      if (problems.length) this.showProblems(problems);
      else this.reportError("Queue failed", error);
    }
  }

  private showProblems(problems: GraphError[]): void {
    this.editor?.setProblems(problems);
    const first = problems.find((p) => p.node_id);
    this.notify({
      kind: "error",
      title: `The graph has ${problems.length} problem(s)`,
      body: problems.map((p) => p.message).join("\n"),
      nodeId: first?.node_id ?? undefined,
    });
    if (first?.node_id) this.focusNode(first.node_id);
  }

  async cancel(runId: string): Promise<void> {
    try {
      await api.cancelRun(runId);
    } catch (error) {
      this.reportError("Cancel failed", error);
    }
  }

  focusNode(nodeId: string): void {
    const id = nodeId.split(":")[0]!;
    this.centerTab = "canvas";
    this.editor?.selectNode(id);
    this.selection = { kind: "node", nodeId: id };
  }

  private updateRun(runId: string | null | undefined, change: (run: RunView) => void): RunView | undefined {
    if (!runId) return undefined;
    const run = this.runs.find((item) => item.runId === runId);
    if (run) change(run);
    return run;
  }

  private setNode(runId: string | null | undefined, nodeId: string, state: NodeRunState): void {
    const run = this.updateRun(runId, (run) => {
      const node = run.nodes[nodeId] ?? { type: "", status: state.status, progress: 0 };
      node.status = state.status;
      node.progress = state.status === "completed" || state.status === "cached" ? 1 : (state.progress ?? node.progress);
      node.step = state.step ?? node.step;
      run.nodes[nodeId] = node;
    });
    if (run && run === this.runs[0]) this.editor?.setRunState(nodeId.split(":")[0]!, state);
  }

  handleEvent(event: ServerEvent): void {
    const runScoped = event.type.startsWith("node_") || event.type.startsWith("run_");
    if (event.run_id && runScoped && !this.runs.some((run) => run.runId === event.run_id)) {
      const queue = this.early.get(event.run_id) ?? [];
      if (queue.length < 500) queue.push(event);
      this.early.set(event.run_id, queue);
      if (this.early.size > 50) this.early.delete(this.early.keys().next().value!);
      return;
    }
    dispatch(this.handlers, event.type, event);
  }

  private readonly handlers: EventHandlers = {
    run_queued: (event) => this.updateRun(event.run_id, (run) => (run.status = "queued")),
    run_started: (event) => this.updateRun(event.run_id, (run) => (run.status = "running")),
    run_completed: (event) => void this.finishRun(event.run_id, "completed"),
    run_failed: (event) => void this.finishRun(event.run_id, "failed"),
    run_cancelled: (event) => void this.finishRun(event.run_id, "cancelled"),
    run_interrupted: (event) => void this.finishRun(event.run_id, "interrupted"),
    node_started: (event) => this.setNode(event.run_id, event.data.node_id, { status: "running", progress: 0 }),
    node_progress: (event) =>
      this.setNode(event.run_id, event.data.node_id, {
        status: "running",
        progress: event.data.progress,
        step: event.data.step == null ? null : String(event.data.step),
      }),
    node_cached: (event) => this.nodeDone(event.run_id, event.data.node_id, "cached", event.data.outputs ?? null),
    node_completed: (event) => this.nodeDone(event.run_id, event.data.node_id, "completed", event.data.outputs ?? null),
    node_failed: (event) => {
      const nodeId = event.data.node_id;
      const { code, message, input } = event.data.error;
      const error = { code, message, node_id: event.data.error.node_id ?? nodeId, input: input ?? null, details: null };
      this.setNode(event.run_id, nodeId, { status: "failed", error: error.message });
      this.updateRun(event.run_id, (run) => (run.error = error));
    },
    take_created: (event) => {
      const { take_number, shot, path } = event.data;
      this.notify({
        kind: "take",
        title: `Take ${String(take_number ?? "").padStart(2, "0")} of ${shot ?? "shot"}`,
        body: path ?? "",
        path: path ?? "",
      });
      void this.refreshProject();
    },
    asset_added: (event) => {
      this.notify({ kind: "asset", title: `Asset added: ${event.data.name ?? event.data.path}`, body: event.data.category ?? "" });
      void this.refreshProject();
    },
    file_changed: (event) => {
      if (event.data.change === "thumbnail" || event.data.change === "deleted") void this.refreshProject();
    },
    project_update: (event) => {
      void this.loadProjects();
      if (event.project === this.project?.name) void this.refreshProject();
    },
    node_audit: () => {}, // facts for the audit log, nothing to show
    node_event: () => {}, // a pack's own event type: nothing the editor knows to show
    heartbeat: () => {}, // keeps the connection and `seq` fresh (events.ts)
  };

  private nodeDone(
    runId: string | null | undefined,
    nodeId: string,
    status: "cached" | "completed",
    outputs: Record<string, unknown> | null,
  ): void {
    if (outputs && runId === this.runs[0]?.runId) this.nodeOutputs.set(nodeId.split(":")[0]!, outputs);
    this.setNode(runId, nodeId, { status, outputs });
    this.selectedNodeVersion += 1;
  }

  private async finishRun(runId: string | null | undefined, status: string): Promise<void> {
    if (!runId) return;
    const run = this.updateRun(runId, (run) => (run.status = status));
    if (!run) return;
    try {
      const record = await api.run(runId);
      this.updateRun(runId, (run) => {
        run.status = record.status;
        for (const [id, node] of Object.entries(record.nodes ?? {})) {
          const view = run.nodes[id] ?? { type: node.type, status: node.status, progress: 0 };
          view.type = node.type;
          view.status = node.status;
          if (view.status === "completed" || view.status === "cached") view.progress = 1;
          run.nodes[id] = view;
          if (run === this.runs[0]) {
            if (node.outputs && (node.status === "completed" || node.status === "cached")) this.nodeOutputs.set(id.split(":")[0]!, node.outputs);
            this.editor?.setRunState(id.split(":")[0]!, {
              status: node.status,
              error: node.error?.message ?? null,
              outputs: node.outputs ?? null,
            });
          }
        }
        const error = record.errors?.[0];
        if (error && !run.error) run.error = error;
      });
      this.selectedNodeVersion += 1;
      if (status === "failed" && run.error) {
        this.notify({ kind: "error", title: "Run failed", body: run.error.message, nodeId: run.error.node_id ?? undefined });
      } else if (status === "completed") {
        this.notify({ kind: "success", title: `Run completed: ${run.label}` });
      } else if (status === "cancelled") {
        this.notify({ kind: "info", title: `Run cancelled: ${run.label}` });
      }
      if (this.project) void this.refreshProject();
    } catch (error) {
      this.reportError("Could not read the run", error);
    }
  }
}

export const app = new AppState();
(window as unknown as { __auteur: AppState }).__auteur = app;
