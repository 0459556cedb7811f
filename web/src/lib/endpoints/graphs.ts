// Graph checks (every problem at once) and conversion between workflow and API prompt.
import { request, type BodyOf, type ResponseOf } from "../client";

export type GraphReport = ResponseOf<"/api/graphs/validate", "post">;
export type GraphError = GraphReport["errors"][number];
export type ConvertBody = BodyOf<"/api/graphs/convert", "post">;
type ValidateBody = BodyOf<"/api/graphs/validate", "post">;

export const graphEndpoints = {
  convert: (graph: ConvertBody["graph"], to: NonNullable<ConvertBody["to"]>) =>
    request("/api/graphs/convert", "post", { body: { graph, to } }),
  /** Every problem of a graph; with `queue`, a graph without any is queued in the same request. */
  validate: (graph: ValidateBody["graph"], queue?: ValidateBody["queue"]) =>
    request("/api/graphs/validate", "post", { body: queue ? { graph, queue } : { graph } }),
};
