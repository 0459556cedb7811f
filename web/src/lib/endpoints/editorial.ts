// Editorial: the cut exported for an editing application, an edit conformed back, and the
// paperwork (a one-node run of production.paperwork, the same node graphs use).
import { request, type BodyOf, type ResponseOf } from "../client";

export type CutExportBody = BodyOf<"/api/projects/{project}/editorial/exports", "post">;
export type CutExport = ResponseOf<"/api/projects/{project}/editorial/exports", "post">;
export type ConformBody = BodyOf<"/api/projects/{project}/editorial/conform/preview", "post">;
export type ConformPlan = ResponseOf<"/api/projects/{project}/editorial/conform/preview", "post">;
export type PaperworkDocument = "shot_list_csv" | "shot_list_pdf" | "storyboard_pdf" | "screenplay_pdf";

export const editorialEndpoints = {
  exportCut: (project: string, body: CutExportBody) =>
    request("/api/projects/{project}/editorial/exports", "post", { path: { project }, body }),
  previewConform: (project: string, body: ConformBody) =>
    request("/api/projects/{project}/editorial/conform/preview", "post", { path: { project }, body }),
  applyConform: (project: string, body: ConformBody & { plan: string }) =>
    request("/api/projects/{project}/editorial/conform/apply", "post", { path: { project }, body }),
  runPaperwork: (project: string, script: string, document: PaperworkDocument, scene: number) =>
    request("/api/nodes/{node_type}/run", "post", {
      path: { node_type: "production.paperwork" },
      body: { project, script, document, scene },
    }),
};
