// The shot list: edit a shot's fields in project.json (optimistic concurrency per field), reorder a scene.
import { request, type BodyOf } from "../client";

export type ShotEditBody = BodyOf<"/api/projects/{project}/shots", "patch">;
export type ShotOrderBody = BodyOf<"/api/projects/{project}/shots/order", "put">;

export const shotEndpoints = {
  editShot: (project: string, body: ShotEditBody) =>
    request("/api/projects/{project}/shots", "patch", { path: { project }, body }),
  /** Reorder a scene's shots (their current numbers in the new order); takes move with them. */
  reorderShots: (project: string, body: ShotOrderBody) =>
    request("/api/projects/{project}/shots/order", "put", { path: { project }, body }),
};
