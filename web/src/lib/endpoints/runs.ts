// Runs: submit, read the whole record, cancel.
import { request, type BodyOf, type ResponseOf } from "../client";

export type RunSubmission = BodyOf<"/api/runs", "post">;
export type RunView = ResponseOf<"/api/runs/{run_id}", "get">;

export const runEndpoints = {
  submitRun: (body: RunSubmission) => request("/api/runs", "post", { body }),
  run: (runId: string) => request("/api/runs/{run_id}", "get", { path: { run_id: runId } }),
  cancelRun: (runId: string) => request("/api/runs/{run_id}/cancel", "post", { path: { run_id: runId } }),
};
