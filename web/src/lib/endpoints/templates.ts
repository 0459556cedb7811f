// Graph templates: list, read (with a requirements report), save, import.
import { request, type BodyOf, type ResponseOf } from "../client";

export type TemplateDetail = ResponseOf<"/api/templates/{template_id}", "get">;
export type Requirements = TemplateDetail["requirements"];
export type TemplateBody = BodyOf<"/api/templates", "post">;

export const templateEndpoints = {
  templates: () => request("/api/templates", "get", {}),
  template: (id: string) => request("/api/templates/{template_id}", "get", { path: { template_id: id } }),
  saveTemplate: (body: TemplateBody) => request("/api/templates", "post", { body }),
  importTemplate: (body: BodyOf<"/api/templates/import", "post">) =>
    request("/api/templates/import", "post", { body }),
};
