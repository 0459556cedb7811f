// GET /api/nodes: the node catalog and the packs that failed to load.
import { request, type ResponseOf } from "../client";

export type Catalog = ResponseOf<"/api/nodes", "get">;

export const catalogEndpoints = {
  catalog: () => request("/api/nodes", "get", {}),
};
