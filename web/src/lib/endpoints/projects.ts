// Projects and what is in them: manifest, tree, takes, assets, files, workflows.
import { request, url, type BodyOf, type ResponseOf } from "../client";

export type ProjectManifest = ResponseOf<"/api/projects/{project}", "get">;
export type NewProjectBody = BodyOf<"/api/projects", "post">;
export type WorkflowInfo = ResponseOf<"/api/projects/{project}/workflows/{name}", "put">;
/** A saved litegraph workflow, as the editor wrote it. */
export type SavedWorkflow = ResponseOf<"/api/projects/{project}/workflows/{name}", "get">;
export type WorkflowBody = BodyOf<"/api/projects/{project}/workflows/{name}", "put">;

export const projectEndpoints = {
  projects: () => request("/api/projects", "get", {}),
  project: (project: string) => request("/api/projects/{project}", "get", { path: { project } }),
  createProject: (body: NewProjectBody) => request("/api/projects", "post", { body }),
  tree: (project: string) => request("/api/projects/{project}/tree", "get", { path: { project } }),
  takes: (project: string) => request("/api/projects/{project}/takes", "get", { path: { project } }),
  setActiveTake: (project: string, shot: string, take: number) =>
    request("/api/projects/{project}/takes/active", "put", { path: { project }, body: { shot, take } }),
  assets: (project: string) => request("/api/projects/{project}/assets", "get", { path: { project } }),
  /** Where a project file is downloaded (or streamed, with Range) from. */
  fileUrl: (project: string, path: string) =>
    url("/api/projects/{project}/files", "get", { path: { project }, query: { path } }),
  /** Where an asset is uploaded to (multipart, see uploadAsset). */
  assetsUrl: (project: string) => url("/api/projects/{project}/assets", "post", { path: { project } }),

  workflows: (project: string) => request("/api/projects/{project}/workflows", "get", { path: { project } }),
  workflow: (project: string, name: string) =>
    request("/api/projects/{project}/workflows/{name}", "get", { path: { project, name } }),
  saveWorkflow: (project: string, name: string, body: WorkflowBody) =>
    request("/api/projects/{project}/workflows/{name}", "put", { path: { project, name }, body }),

  /** The caller's own workflows (also those saved from ComfyUI's frontend). */
  userWorkflows: () => request("/api/workflows", "get", {}),
  userWorkflow: (name: string) => request("/api/workflows/{name}", "get", { path: { name } }),
};
