// The editor's API: every endpoint from src/lib/endpoints/, typed from the generated OpenAPI
// `paths` through the one fetch wrapper in client.ts.
import { ApiError, apiError, type ResponseOf } from "./client";
import { catalogEndpoints } from "./endpoints/catalog";
import { editorialEndpoints } from "./endpoints/editorial";
import { graphEndpoints, type GraphError } from "./endpoints/graphs";
import { projectEndpoints } from "./endpoints/projects";
import { roomEndpoints } from "./endpoints/room";
import { shotEndpoints } from "./endpoints/shots";
import { runEndpoints } from "./endpoints/runs";
import { templateEndpoints } from "./endpoints/templates";
import { timelineEndpoints } from "./endpoints/timeline";

export { ApiError } from "./client";
export type { Catalog } from "./endpoints/catalog";
export type { GraphError } from "./endpoints/graphs";
export type { ProjectManifest, SavedWorkflow, WorkflowInfo } from "./endpoints/projects";
export type { ProjectDocument, SavedDocument } from "./endpoints/room";
export type { RunSummary, RunView } from "./endpoints/runs";
export type { Requirements, TemplateDetail } from "./endpoints/templates";

export const api = {
  ...catalogEndpoints,
  ...editorialEndpoints,
  ...projectEndpoints,
  ...roomEndpoints,
  ...shotEndpoints,
  ...templateEndpoints,
  ...graphEndpoints,
  ...runEndpoints,
  ...timelineEndpoints,
};

function isGraphError(value: unknown): value is GraphError {
  return (
    typeof value === "object" &&
    value !== null &&
    "code" in value &&
    typeof value.code === "string" &&
    "message" in value &&
    typeof value.message === "string"
  );
}

/** The validation problems carried by a refused submission (422 `graph_invalid` and friends). */
export function graphErrors(error: unknown): GraphError[] {
  if (!(error instanceof ApiError)) return [];
  const details = error.details;
  const list = Array.isArray(details)
    ? details
    : typeof details === "object" && details !== null && "errors" in details && Array.isArray(details.errors)
      ? details.errors
      : [];
  return list.filter(isGraphError);
}

/** Upload one file with progress (fetch has no upload progress; XHR does). */
export function uploadAsset(
  projectId: string,
  file: File,
  category: string,
  onProgress: (fraction: number) => void,
): Promise<ResponseOf<"/api/projects/{project}/assets", "post">> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", api.assetsUrl(projectId));
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      const data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(data);
      } else {
        reject(apiError(xhr.status, xhr.statusText || "upload failed", data));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "network_error", "the upload could not reach the server", null));
    const form = new FormData();
    form.append("category", category);
    form.append("file", file, file.name);
    xhr.send(form);
  });
}
