// Runs this editor queued or follows: their live node states, the canvas's run marks and the
// outputs of the newest run.
import type { ErrorInfo, Schemas, ServerEvent } from "../../generated/api";
import { api, graphErrors, type GraphError, type RunSummary, type RunView as RunRecordView } from "../api";
import type { ReviewBody } from "../endpoints/runs";
import type { NodeRunState, NodeStatus } from "../graph/status";
import { cost } from "./cost.svelte";
import { graph } from "./graph.svelte";
import { project } from "./project.svelte";
import { ui } from "./ui.svelte";

export type ReviewWait = Schemas["ReviewWait"];

export interface RunView {
  runId: string;
  status: string;
  label: string;
  nodes: Record<string, { type: string; status: NodeStatus; progress: number; step?: string | null }>;
  error: ErrorInfo | null;
  warning?: string;
  createdAt: number;
  /** Node counts by status, for a run read from the server's list (its `nodes` are not read). */
  counts?: Record<string, number>;
  /** What waits for a person at each node, while the run is awaiting review. */
  reviews?: Record<string, ReviewWait>;
  /** Why it ended as it did, as the server says it ("cancelled by local"). */
  reason?: string | null;
}

/** A run's end in words: who cancelled it ("local" is whoever uses this computer's server
 *  without a token), or the server's reason as a sentence. */
export function reasonText(reason: string | null | undefined): string {
  if (!reason) return "";
  const cancelled = /^cancelled by (.+)$/i.exec(reason);
  if (cancelled) return cancelled[1] === "local" ? "Cancelled by you (on this computer)" : `Cancelled by ${cancelled[1]}`;
  return reason.charAt(0).toUpperCase() + reason.slice(1);
}

const LABELS = "auteur.run_labels";
const LISTED = 30;

/** The workflow names runs were queued from, kept across reloads (the server does not know them). */
function savedLabels(): Record<string, string> {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(LABELS) ?? "{}");
    return typeof value === "object" && value !== null ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function rememberLabel(runId: string, label: string): void {
  const labels = Object.entries({ ...savedLabels(), [runId]: label }).slice(-100);
  localStorage.setItem(LABELS, JSON.stringify(Object.fromEntries(labels)));
}

function fromSummary(summary: RunSummary, label: string | undefined): RunView {
  const error = summary.errors[0];
  return {
    runId: summary.run_id,
    status: summary.status,
    label: label ?? `Run at ${new Date(summary.created_at * 1000).toLocaleTimeString()}`,
    nodes: {},
    error: error ? { code: error.code, message: error.message, node_id: error.node_id ?? null, input: null, details: null } : null,
    createdAt: summary.created_at * 1000,
    counts: summary.nodes,
    reason: summary.reason ?? summary.errors.find((e) => e.code === "cancelled")?.message ?? null,
  };
}

export const TERMINAL = new Set(["completed", "failed", "cancelled", "interrupted"]);

class RunState {
  list = $state<RunView[]>([]);
  /** The server's queue starts nothing while paused (an admin pauses and resumes it). */
  paused = $state(false);
  /** Events of a run that arrive before its POST /api/runs answer does, replayed after it. */
  private early = new Map<string, ServerEvent[]>();
  /** Replays an event through the session's handlers (set by the session). */
  replay: (event: ServerEvent) => void = () => {};

  active(): string[] {
    return this.list.filter((run) => !TERMINAL.has(run.status)).map((run) => run.runId);
  }

  /** Read the server's newest runs of the project (of this editor when no project is open), so a
   *  reload or a reconnection shows what runs and what ran; runs still going are read whole (their
   *  node states) and keep being followed. Runs the panel knows keep their live state. */
  async load(projectName: string | null, clientId: string): Promise<void> {
    const page = await api.listRuns(projectName ? { project: projectName, limit: LISTED } : { client_id: clientId, limit: LISTED });
    const labels = savedLabels();
    const known = new Map(this.list.map((run) => [run.runId, run]));
    this.list = page.items.map((summary) => {
      const run = known.get(summary.run_id);
      if (!run) return fromSummary(summary, labels[summary.run_id]);
      run.status = summary.status;
      return run;
    });
    const going = this.list.filter((run) => !TERMINAL.has(run.status));
    const records = await Promise.all(going.map((run) => api.run(run.runId)));
    for (const record of records) this.update(record.run_id, (run) => this.applyRecord(run, record, false));
  }

  /** Holds a run-scoped event of a run not known yet; true when it was held. */
  holdIfUnknown(event: ServerEvent): boolean {
    const runScoped = event.type.startsWith("node_") || event.type.startsWith("run_");
    if (!event.run_id || !runScoped || this.list.some((run) => run.runId === event.run_id)) return false;
    const queue = this.early.get(event.run_id) ?? [];
    if (queue.length < 500) queue.push(event);
    this.early.set(event.run_id, queue);
    if (this.early.size > 50) this.early.delete(this.early.keys().next().value!);
    return true;
  }

  async queue(clientId: string): Promise<void> {
    const editor = graph.editor;
    if (!editor) return;
    editor.setProblems([]);
    const current = editor.current();
    try {
      // Checked and queued in one request: problems come back as data (200), highlighted on the
      // nodes concerned (a refused submission would be a 422 the browser logs as a console
      // error); a graph without any is queued at once (validating, then sending the same
      // 1,000-node graph again to POST /api/runs, took two round trips and two parses).
      const options = { project: project.name, tier: project.tier, client_id: clientId };
      const checked = await api.validate(current, options);
      const blocking = checked.errors.filter((e) => e.code !== "maturity_insufficient");
      if (blocking.length) {
        this.showProblems(blocking);
        return;
      }
      // Over the project's budget: refused in the same request, with the estimate's words.
      if (checked.refused) {
        cost.refused = checked.refused;
        ui.notify({ kind: "error", title: "Over budget: not queued", body: checked.refused });
        return;
      }
      // Only nodes above the caller's level: the submission's 403 names each and the level it needs.
      const accepted = checked.run ?? (await api.submitRun({ graph: current, ...options }));
      editor.clearRunState();
      const nodes: RunView["nodes"] = {};
      for (const node of editor.graph._nodes) {
        if (node.mode === 0 && node.type && editor.catalog.has(node.type)) {
          nodes[String(node.id)] = { type: node.type, status: "pending", progress: 0 };
        }
      }
      for (const id of Object.keys(nodes)) editor.setRunState(id, { status: "queued" });
      this.follow(accepted.run_id, graph.workflowName, accepted.warning, nodes);
    } catch (error) {
      const problems = graphErrors(error);
      if (problems.length) this.showProblems(problems);
      else ui.reportError("Queue failed", error);
    }
  }

  /** Lists a run just accepted (from the canvas or a view that submits a template) and replays
   * the events of it that arrived before the answer did. */
  follow(runId: string, label: string, warning?: string | null, nodes: RunView["nodes"] = {}): void {
    rememberLabel(runId, label);
    // The server's list may have brought this run in already (a reload of the list raced the
    // submission's answer): one card per run, the newest first.
    const known = this.list.find((item) => item.runId === runId);
    const run: RunView = known ?? { runId, status: "queued", label, nodes, error: null, createdAt: Date.now() };
    run.label = label;
    run.warning = warning ?? undefined;
    if (!Object.keys(run.nodes).length) run.nodes = nodes;
    this.list = [run, ...this.list.filter((item) => item !== run)].slice(0, 30);
    const early = this.early.get(runId) ?? [];
    this.early.delete(runId);
    for (const event of early) this.replay(event);
  }

  private showProblems(problems: GraphError[]): void {
    graph.editor?.setProblems(problems);
    const first = problems.find((p) => p.node_id);
    ui.notify({
      kind: "error",
      title: `The graph has ${problems.length} problem(s)`,
      body: problems.map((p) => p.message).join("\n"),
      nodeId: first?.node_id ?? undefined,
    });
    if (first?.node_id) graph.focusNode(first.node_id);
  }

  async cancel(runId: string): Promise<void> {
    try {
      await api.cancelRun(runId);
    } catch (error) {
      ui.reportError("Cancel failed", error);
    }
  }

  /** Moves a queued run within its submitter's line; the panel shows the server's order. */
  async move(runId: string, to: "up" | "down" | "front"): Promise<void> {
    try {
      await api.moveRun(runId, to);
      await this.refreshOrder();
    } catch (error) {
      ui.reportError("Move failed", error);
    }
  }

  /** A new run of a failed, interrupted or cancelled one (cached nodes are reused). */
  async retry(runId: string): Promise<void> {
    const old = this.list.find((run) => run.runId === runId);
    try {
      const accepted = await api.retryRun(runId);
      const nodes: RunView["nodes"] = {};
      for (const [id, node] of Object.entries(old?.nodes ?? {})) nodes[id] = { type: node.type, status: "pending", progress: 0 };
      this.follow(accepted.run_id, old?.label ?? "retry", accepted.warning, nodes);
    } catch (error) {
      ui.reportError("Retry failed", error);
    }
  }

  async togglePause(): Promise<void> {
    try {
      this.paused = (this.paused ? await api.resumeQueue() : await api.pauseQueue()).paused;
    } catch (error) {
      ui.reportError(this.paused ? "Resume failed" : "Pause failed", error);
    }
  }

  /** Queued runs of this list in the order the server will start them; the others keep their place. */
  async refreshOrder(): Promise<void> {
    const queue = await api.queueState();
    this.paused = queue.paused;
    const place = new Map(queue.queued.map((run, index) => [run.run_id, index]));
    const queued = this.list.filter((run) => place.has(run.runId)).sort((a, b) => place.get(a.runId)! - place.get(b.runId)!);
    let next = 0;
    this.list = this.list.map((run) => (place.has(run.runId) ? queued[next++]! : run));
  }

  update(runId: string | null | undefined, change: (run: RunView) => void): RunView | undefined {
    if (!runId) return undefined;
    const run = this.list.find((item) => item.runId === runId);
    if (run) change(run);
    return run;
  }

  setNode(runId: string | null | undefined, nodeId: string, state: NodeRunState): void {
    const run = this.update(runId, (run) => {
      const node = run.nodes[nodeId] ?? { type: "", status: state.status, progress: 0 };
      node.status = state.status;
      node.progress = state.status === "completed" || state.status === "cached" ? 1 : (state.progress ?? node.progress);
      node.step = state.step ?? node.step;
      run.nodes[nodeId] = node;
    });
    if (run && run === this.list[0]) graph.editor?.setRunState(nodeId.split(":")[0]!, state);
  }

  nodeDone(runId: string | null | undefined, nodeId: string, status: "cached" | "completed", outputs: Record<string, unknown> | null): void {
    if (outputs && runId === this.list[0]?.runId) graph.setOutputs(nodeId, outputs);
    this.setNode(runId, nodeId, { status, outputs });
    graph.version += 1;
  }

  nodeFailed(runId: string | null | undefined, nodeId: string, error: ErrorInfo): void {
    this.setNode(runId, nodeId, { status: "failed", error: error.message });
    this.update(runId, (run) => (run.error = error));
  }

  async finish(runId: string | null | undefined, status: string): Promise<void> {
    if (!runId) return;
    const run = this.update(runId, (run) => (run.status = status));
    if (!run) return;
    try {
      const record = await api.run(runId);
      this.update(runId, (run) => this.applyRecord(run, record));
      // Nodes marked queued when it was queued that it never ran (no output needed them, or it
      // stopped first) are not left looking queued after it ended, on the canvas or in its card.
      if (status !== "awaiting_review") {
        this.update(runId, (run) => {
          run.nodes = Object.fromEntries(Object.entries(run.nodes).filter(([, node]) => node.status !== "pending" && node.status !== "queued"));
        });
        if (run === this.list[0]) graph.editor?.dropRunStates(["queued", "pending"]);
      }
      graph.version += 1;
      if (status === "failed" && run.error) {
        ui.notify({ kind: "error", title: "Run failed", body: run.error.message, nodeId: run.error.node_id ?? undefined });
      } else if (status === "completed") {
        ui.notify({ kind: "success", title: `Run completed: ${run.label}` });
      } else if (status === "awaiting_review") {
        const waiting = Object.keys(run.reviews ?? {});
        ui.notify({ kind: "info", title: `Waiting for your review: ${run.label}`, body: waiting.map((id) => `node ${id}`).join(", "), nodeId: waiting[0] });
      } else if (status === "cancelled") {
        ui.notify({ kind: "info", title: `Run cancelled: ${run.label}`, body: reasonText(run.reason) });
      }
      if (project.current) void project.refresh();
    } catch (error) {
      ui.reportError("Could not read the run", error);
    }
  }

  /** The run's state from its whole record: status, each node's state, the first error; the
   *  canvas shows the node states when it is the newest run queued from this canvas. */
  private applyRecord(run: RunView, record: RunRecordView, onCanvas = true): void {
    run.status = record.status;
    run.reviews = record.status === "awaiting_review" ? record.reviews : undefined;
    // A cancellation names who in its error ("cancelled by local") when the record has no reason.
    run.reason = record.reason ?? record.errors?.find((error) => error.code === "cancelled")?.message ?? null;
    for (const [id, node] of Object.entries(record.nodes ?? {})) {
      const view = run.nodes[id] ?? { type: node.type, status: node.status, progress: 0 };
      view.type = node.type;
      view.status = node.status;
      if (view.status === "completed" || view.status === "cached") view.progress = 1;
      run.nodes[id] = view;
      if (onCanvas && run === this.list[0]) {
        if (node.outputs && (node.status === "completed" || node.status === "cached")) graph.setOutputs(id, node.outputs);
        graph.editor?.setRunState(id.split(":")[0]!, {
          status: node.status,
          error: node.error?.message ?? null,
          outputs: node.outputs ?? null,
        });
      }
    }
    const error = record.errors?.[0];
    if (error && !run.error) run.error = error;
  }

  /** A person's decision about a waiting node; the server queues the run again. */
  async decide(runId: string, body: ReviewBody): Promise<boolean> {
    try {
      await api.decideReview(runId, body);
      this.update(runId, (run) => {
        run.status = "queued";
        run.reviews = undefined;
      });
      return true;
    } catch (error) {
      ui.reportError("The decision was refused", error);
      return false;
    }
  }

  clearFinished(): void {
    this.list = this.list.filter((run) => !TERMINAL.has(run.status));
  }
}

export const runs = new RunState();
