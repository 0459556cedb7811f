// The story timeline: the project's events in story order, filtered; create, move/edit, delete one.
import { request, type BodyOf, type ResponseOf } from "../client";

export type StoryEvent = ResponseOf<"/api/projects/{project}/timeline/{event_id}", "patch">;
export type EventFields = BodyOf<"/api/projects/{project}/timeline", "post">;
export interface TimelineFilter {
  from?: string | null;
  to?: string | null;
  participant?: string | null;
  type?: string | null;
}

export const timelineEndpoints = {
  timeline: (project: string, query: TimelineFilter = {}) =>
    request("/api/projects/{project}/timeline", "get", { path: { project }, query }),
  createEvent: (project: string, body: EventFields) =>
    request("/api/projects/{project}/timeline", "post", { path: { project }, body }),
  editEvent: (project: string, eventId: string, body: EventFields) =>
    request("/api/projects/{project}/timeline/{event_id}", "patch", { path: { project, event_id: eventId }, body }),
  deleteEvent: (project: string, eventId: string) =>
    request("/api/projects/{project}/timeline/{event_id}", "delete", { path: { project, event_id: eventId } }),
};
