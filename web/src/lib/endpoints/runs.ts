// Runs: estimate, submit, read the whole record, cancel; the queue: pause/resume, move, retry; human review.
import { request, type BodyOf, type ResponseOf } from "../client";

export type RunSubmission = BodyOf<"/api/runs", "post">;
export type RunView = ResponseOf<"/api/runs/{run_id}", "get">;
export type RunSummary = ResponseOf<"/api/runs", "get">["items"][number];
export type EstimateBody = BodyOf<"/api/runs/estimate", "post">;
export type CostEstimate = ResponseOf<"/api/runs/estimate", "post">;
export type ReviewBody = BodyOf<"/api/runs/{run_id}/review", "post">;

export const runEndpoints = {
  submitRun: (body: RunSubmission) => request("/api/runs", "post", { body }),
  estimateRun: (body: EstimateBody) => request("/api/runs/estimate", "post", { body }),
  listRuns: (query: { project?: string; client_id?: string; limit?: number }) => request("/api/runs", "get", { query }),
  run: (runId: string) => request("/api/runs/{run_id}", "get", { path: { run_id: runId } }),
  cancelRun: (runId: string) => request("/api/runs/{run_id}/cancel", "post", { path: { run_id: runId } }),
  moveRun: (runId: string, to: "up" | "down" | "front" | "back") =>
    request("/api/runs/{run_id}/move", "post", { path: { run_id: runId }, body: { to } }),
  retryRun: (runId: string) => request("/api/runs/{run_id}/retry", "post", { path: { run_id: runId } }),
  review: (runId: string) => request("/api/runs/{run_id}/review", "get", { path: { run_id: runId } }),
  decideReview: (runId: string, body: ReviewBody) =>
    request("/api/runs/{run_id}/review", "post", { path: { run_id: runId }, body }),
  queueState: () => request("/api/queue", "get", {}),
  pauseQueue: () => request("/api/queue/pause", "post", {}),
  resumeQueue: () => request("/api/queue/resume", "post", {}),
};
