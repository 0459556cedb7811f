// The studio view: every project the caller may read, at a glance.
import { request, type ResponseOf } from "../client";

export type StudioOverview = ResponseOf<"/api/studio", "get">;
export type StudioProject = StudioOverview["projects"][number];

export const studioEndpoints = {
  studio: (query: { kind?: StudioProject["kind"]; status?: StudioProject["status"] }) =>
    request("/api/studio", "get", { query }),
};
