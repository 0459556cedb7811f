// The editor's session: start-up, the /ws event stream and the routing of each server event to
// the domain it changes (project, assets, graph, runs, review, ui). It holds no domain data itself.
import type { ServerEvent } from "../../generated/api";
import { api } from "../api";
import { clientId, dispatch, EventStream, type ConnectionState, type EventHandlers } from "../events";
import { graph } from "./graph.svelte";
import { project } from "./project.svelte";
import { runs } from "./runs.svelte";
import { ui } from "./ui.svelte";

const BATCHED = new Set<ServerEvent["type"]>(["node_started", "node_progress", "node_cached", "node_completed"]);

class SessionState {
  connection = $state<ConnectionState>("connecting");
  connectionDetail = $state("");
  ready = $state(false);
  readonly clientId = clientId();
  readonly stream = new EventStream(this.clientId, {
    onEvent: (event) => this.handleEvent(event),
    onState: (state, detail) => {
      this.connection = state;
      this.connectionDetail = detail;
    },
    onOpen: () => void this.refreshRuns(),
  });

  async init(): Promise<void> {
    // Each project keeps its own canvas: opening one restores its autosaved workflows.
    project.onSelect = () => {
      graph.restoreAutosave(project.name);
      void this.refreshRuns();
    };
    // Closing or reloading the tab with unsaved changes asks first (the browser's own prompt).
    window.addEventListener("beforeunload", (event) => {
      graph.autosaveNow();
      if (graph.dirty) event.preventDefault();
    });
    // The open workflows are written to the browser's storage as they change and when the page
    // goes away, and reopened here: a reload or a crash loses nothing.
    window.addEventListener("pagehide", () => graph.autosaveNow());
    runs.replay = (event) => this.apply(event);
    const catalog = await api.catalog();
    graph.setCatalog(
      catalog.nodes,
      catalog.failed_packs.map((f) => ({ pack: f.pack, message: f.message })),
    );
    this.stream.connect();
    await project.loadList();
    const pick = project.lastUsed();
    if (pick) await project.select(pick.name);
    else graph.restoreAutosave(null);
    this.ready = true;
  }

  queue(): Promise<void> {
    return runs.queue(this.clientId);
  }

  /** The server's runs read again (on load, on a project change, after every reconnection: runs
   *  may have moved on while the server was away), then followed. */
  private async refreshRuns(): Promise<void> {
    try {
      await runs.load(project.name, this.clientId);
    } catch (error) {
      ui.reportError("Could not read the runs", error);
    }
    this.resubscribe();
  }

  private resubscribe(): void {
    this.stream.send({ type: "subscribe", runs: runs.active(), projects: project.name ? [project.name] : [] });
  }

  /** Node events of big runs come by the thousand: they are applied together, at most once a
   *  frame, so the panels and the canvas re-render once per batch rather than once per event
   *  (a 1,000-node run was shown completed 12 s after the server finished). Any other event
   *  first applies the waiting ones, so the order is kept. */
  private pending: ServerEvent[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | null = null;

  handleEvent(event: ServerEvent): void {
    if (BATCHED.has(event.type)) {
      this.pending.push(event);
      this.flushTimer ??= setTimeout(() => this.flush(), 16);
      return;
    }
    this.flush();
    this.apply(event);
  }

  private flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.pending;
    this.pending = [];
    for (const event of batch) this.apply(event);
  }

  private apply(event: ServerEvent): void {
    if (runs.holdIfUnknown(event)) return;
    dispatch(this.handlers, event.type, event);
  }

  private readonly handlers: EventHandlers = {
    run_queued: (event) => runs.update(event.run_id, (run) => (run.status = "queued")),
    run_started: (event) => runs.update(event.run_id, (run) => (run.status = "running")),
    run_completed: (event) => void runs.finish(event.run_id, "completed"),
    run_failed: (event) => void runs.finish(event.run_id, "failed"),
    run_cancelled: (event) => void runs.finish(event.run_id, "cancelled"),
    run_interrupted: (event) => void runs.finish(event.run_id, "interrupted"),
    run_awaiting_review: (event) => void runs.finish(event.run_id, "awaiting_review"),
    node_started: (event) => runs.setNode(event.run_id, event.data.node_id, { status: "running", progress: 0 }),
    node_progress: (event) =>
      runs.setNode(event.run_id, event.data.node_id, {
        status: "running",
        progress: event.data.progress,
        step: event.data.step == null ? null : String(event.data.step),
      }),
    node_cached: (event) => runs.nodeDone(event.run_id, event.data.node_id, "cached", event.data.outputs ?? null),
    node_completed: (event) => runs.nodeDone(event.run_id, event.data.node_id, "completed", event.data.outputs ?? null),
    node_failed: (event) => {
      const nodeId = event.data.node_id;
      const { code, message, input } = event.data.error;
      runs.nodeFailed(event.run_id, nodeId, { code, message, node_id: event.data.error.node_id ?? nodeId, input: input ?? null, details: null });
    },
    take_created: (event) => {
      const { take_number, shot, path } = event.data;
      ui.notify({
        kind: "take",
        title: `Take ${String(take_number ?? "").padStart(2, "0")} of ${shot ?? "shot"}`,
        body: path ?? "",
        path: path ?? "",
      });
      void project.refresh();
    },
    asset_added: (event) => {
      ui.notify({ kind: "asset", title: `Asset added: ${event.data.name ?? event.data.path}`, body: event.data.category ?? "" });
      void project.refresh();
    },
    file_changed: (event) => {
      if (event.data.change === "thumbnail" || event.data.change === "deleted") void project.refresh();
    },
    project_update: (event) => {
      void project.loadList();
      if (event.project === project.name) void project.refresh();
    },
    node_audit: () => {}, // facts for the audit log, nothing to show
    node_event: () => {}, // a pack's own event type: nothing the editor knows to show
    heartbeat: () => {}, // keeps the connection and `seq` fresh (events.ts)
  };
}

export const session = new SessionState();

/** The handle browser tests and benchmarks read (window.__auteur): a view over the domain stores. */
const handle = {
  openDocument: (data: unknown, name: string) => graph.openDocument(data, name),
  get editor() {
    return graph.editor;
  },
  get dirty() {
    return graph.dirty;
  },
  get workflowName() {
    return graph.workflowName;
  },
  get project() {
    return project.current;
  },
  get runs() {
    return runs.list;
  },
  get selection() {
    return ui.selection;
  },
  get ready() {
    return session.ready;
  },
  get stream() {
    return session.stream;
  },
};
(window as unknown as { __auteur: typeof handle }).__auteur = handle;
