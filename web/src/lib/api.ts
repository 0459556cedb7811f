// Typed access to the Auteur Canvas HTTP API. Shapes come from src/generated/api.ts.
import type {
  Asset,
  NewProject,
  NodeSpec,
  PackFailure,
  ProjectSummary,
  RunRecord,
  ShotTakes,
  TemplateSummary,
  TreeNode,
} from "../generated/api";

/** The server's one error shape: `{"error": {code, message, details}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface GraphError {
  code: string;
  message: string;
  node_id?: string | null;
  input?: string | null;
  details?: unknown;
}

/** The validation problems carried by a refused submission (422 `graph_invalid` and friends). */
export function graphErrors(error: unknown): GraphError[] {
  if (!(error instanceof ApiError)) return [];
  const details = error.details as { errors?: GraphError[] } | GraphError[] | null;
  if (Array.isArray(details)) return details;
  return details?.errors ?? [];
}

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: {} };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const response = await fetch(url, init);
  const text = await response.text();
  const data: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string; details?: unknown } })?.error;
    throw new ApiError(
      response.status,
      error?.code ?? "http_" + response.status,
      error?.message ?? response.statusText,
      error?.details ?? null,
    );
  }
  return data as T;
}

const enc = encodeURIComponent;
const project = (id: string) => `/api/projects/${enc(id)}`;

export interface Catalog {
  nodes: NodeSpec[];
  failed_packs: PackFailure[];
}

export interface WorkflowInfo {
  name: string;
  path: string;
  size: number;
  modified: string;
}

export interface ProjectManifest {
  id: string;
  name: string;
  quality: string;
  narrative?: { structure?: string };
  [key: string]: unknown;
}

export type Workflow = Record<string, unknown>;

export const api = {
  catalog: () => request<Catalog>("GET", "/api/nodes"),
  structures: async (): Promise<string[]> => ["three-act", "heros-journey", "story-circle", "beat-sheet"],

  projects: () => request<{ items: ProjectSummary[] }>("GET", "/api/projects"),
  project: (id: string) => request<ProjectManifest>("GET", project(id)),
  createProject: (body: Partial<NewProject> & { name: string }) =>
    request<ProjectManifest>("POST", "/api/projects", body),
  tree: (id: string) => request<TreeNode>("GET", `${project(id)}/tree`),
  takes: (id: string) => request<{ shots: ShotTakes[] }>("GET", `${project(id)}/takes`),
  setActiveTake: (id: string, shot: string, take: number) =>
    request<ShotTakes>("PUT", `${project(id)}/takes/active`, { shot, take }),
  assets: (id: string) => request<{ items: Asset[] }>("GET", `${project(id)}/assets`),
  fileUrl: (id: string, path: string) => `${project(id)}/files?path=${enc(path)}`,

  workflows: (id: string) => request<{ items: WorkflowInfo[] }>("GET", `${project(id)}/workflows`),
  workflow: (id: string, name: string) => request<Workflow>("GET", `${project(id)}/workflows/${enc(name)}`),
  saveWorkflow: (id: string, name: string, workflow: Workflow) =>
    request<WorkflowInfo>("PUT", `${project(id)}/workflows/${enc(name)}`, workflow),

  templates: () => request<{ items: TemplateSummary[] }>("GET", "/api/templates"),
  template: (id: string) =>
    request<TemplateSummary & { template: Record<string, unknown>; requirements: Requirements }>(
      "GET",
      `/api/templates/${enc(id)}`,
    ),
  saveTemplate: (template: Record<string, unknown>) => request<TemplateSummary>("POST", "/api/templates", template),
  importTemplate: (template: Record<string, unknown>) =>
    request<TemplateSummary & { requirements: Requirements }>("POST", "/api/templates/import", template),

  convert: (graph: Record<string, unknown>, to: "api" | "workflow") =>
    request<{ kind: string; graph: Workflow; errors: GraphError[] }>("POST", "/api/graphs/convert", { graph, to }),
  validate: (graph: Record<string, unknown>) =>
    request<{ valid: boolean; kind: string; errors: GraphError[] }>("POST", "/api/graphs/validate", { graph }),

  submitRun: (body: { graph: Workflow; project?: string | null; tier?: string | null; client_id: string }) =>
    request<{ run_id: string; status: string; tier: string; warning?: string }>("POST", "/api/runs", body),
  run: (runId: string) => request<RunRecord & { reason?: string | null }>("GET", `/api/runs/${enc(runId)}`),
  cancelRun: (runId: string) => request<{ run_id: string; status: string }>("POST", `/api/runs/${enc(runId)}/cancel`),
};

export interface Requirements {
  missing: { type: string; version?: string | null }[];
  version_mismatch: { type: string; required: string; installed: string }[];
  ok: boolean;
}

/** Upload one file with progress (fetch has no upload progress; XHR does). */
export function uploadAsset(
  projectId: string,
  file: File,
  category: string,
  onProgress: (fraction: number) => void,
): Promise<Asset> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${project(projectId)}/assets`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      const data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(data as Asset);
      } else {
        const error = data?.error ?? {};
        reject(new ApiError(xhr.status, error.code ?? "upload_failed", error.message ?? xhr.statusText, error.details));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "network_error", "the upload could not reach the server", null));
    const form = new FormData();
    form.append("category", category);
    form.append("file", file, file.name);
    xhr.send(form);
  });
}
