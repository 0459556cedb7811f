// The shot list: edit a shot's fields in project.json (optimistic concurrency per field).
import { request, type BodyOf } from "../client";

export type ShotEditBody = BodyOf<"/api/projects/{project}/shots", "patch">;

export const shotEndpoints = {
  editShot: (project: string, body: ShotEditBody) =>
    request("/api/projects/{project}/shots", "patch", { path: { project }, body }),
};
