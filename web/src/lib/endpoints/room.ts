// The director's room: screenplays in the project's Scripts folder, and the review of takes.
import { request, type BodyOf, type ResponseOf } from "../client";

export type ProjectDocument = ResponseOf<"/api/projects/{project}/documents/content", "get">;
export type SavedDocument = ResponseOf<"/api/projects/{project}/documents/content", "put">;
export type TakeStatusBody = BodyOf<"/api/projects/{project}/takes/status", "put">;
export type TakeNoteBody = BodyOf<"/api/projects/{project}/takes/notes", "post">;

export const roomEndpoints = {
  documents: (project: string) => request("/api/projects/{project}/documents", "get", { path: { project } }),
  document: (project: string, path: string) =>
    request("/api/projects/{project}/documents/content", "get", { path: { project }, query: { path } }),
  saveDocument: (project: string, path: string, content: string) =>
    request("/api/projects/{project}/documents/content", "put", { path: { project }, query: { path }, body: { content } }),
  createDocument: (project: string, type: string, title: string) =>
    request("/api/projects/{project}/documents", "post", { path: { project }, body: { type, title } }),
  addScript: (project: string, filename: string, content: string) =>
    request("/api/projects/{project}/documents/scripts", "post", { path: { project }, body: { filename, content } }),
  setTakeStatus: (project: string, body: TakeStatusBody) =>
    request("/api/projects/{project}/takes/status", "put", { path: { project }, body }),
  addTakeNote: (project: string, body: TakeNoteBody) =>
    request("/api/projects/{project}/takes/notes", "post", { path: { project }, body }),
  deleteTakeNote: (project: string, shot: string, take: number, note: string) =>
    request("/api/projects/{project}/takes/notes", "delete", { path: { project }, query: { shot, take, note } }),
};
