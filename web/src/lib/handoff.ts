// Handing the work on: the cut for an editing application and the crew's paperwork, written by
// the server into the project and downloaded by the browser from the project's files route.
import { api } from "./api";
import { ApiError } from "./client";
import type { CutExportBody, PaperworkDocument } from "./endpoints/editorial";

const POLL_MS = 250;
const PAPERWORK_TIMEOUT_MS = 120_000;

/** Download a project file under its own name. */
export function download(project: string, path: string): void {
  const link = document.createElement("a");
  link.href = api.fileUrl(project, path);
  link.download = path.split("/").at(-1) ?? "export";
  document.body.append(link);
  link.click();
  link.remove();
}

/** Write the cut (whole project, a chapter or a scene) and download it. */
export async function exportCut(project: string, body: CutExportBody): Promise<string> {
  const written = await api.exportCut(project, body);
  download(project, written.path);
  return written.path;
}

/** Run production.paperwork on `script` and download what it wrote. */
export async function paperwork(project: string, script: string, document: PaperworkDocument, scene = 0): Promise<string> {
  const { run_id } = await api.runPaperwork(project, script, document, scene);
  const deadline = Date.now() + PAPERWORK_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const run = await api.run(run_id);
    if (run.status === "completed") {
      const file = Object.values(run.nodes)[0]?.outputs?.file;
      if (typeof file !== "string") throw new ApiError(500, "paperwork_missing", "The paperwork run wrote no file", null);
      download(project, file);
      return file;
    }
    if (["failed", "cancelled", "interrupted"].includes(run.status)) {
      const error = run.errors[0];
      throw new ApiError(422, error?.code ?? "paperwork_failed", error?.message ?? `The paperwork run ${run.status}`, null);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new ApiError(504, "paperwork_timeout", "The paperwork is taking too long; see the Runs panel", null);
}
