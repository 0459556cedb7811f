// The studio view: every project the caller may read, at a glance, and a template queued over
// shots of several projects as one batch.
import { request, type BodyOf, type ResponseOf } from "../client";

export type StudioOverview = ResponseOf<"/api/studio", "get">;
export type StudioProject = StudioOverview["projects"][number];
export type StudioBatchBody = BodyOf<"/api/studio/batch", "post">;

export const studioEndpoints = {
  studio: (query: { kind?: StudioProject["kind"]; status?: StudioProject["status"] }) =>
    request("/api/studio", "get", { query }),
  studioBatch: (body: StudioBatchBody) => request("/api/studio/batch", "post", { body }),
};
