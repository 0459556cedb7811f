// Recognising what was opened: a litegraph workflow (v0.4 or v1), a template, or an API prompt.
export type Json = Record<string, unknown>;

export type GraphKind = "workflow" | "template" | "api" | "unknown";

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function graphKind(data: unknown): GraphKind {
  if (!isObject(data)) return "unknown";
  if (isObject(data.workflow) && ("parameters" in data || "requires" in data || "name" in data)) return "template";
  if (Array.isArray(data.nodes)) return "workflow";
  const values = Object.values(data);
  if (values.length > 0 && values.every((v) => isObject(v) && typeof v.class_type === "string")) return "api";
  return "unknown";
}

/** Links as arrays mean the 0.4 shape whatever `version` says (or when it is missing). */
export function linkShape(workflow: Json): "arrays" | "objects" {
  const links = Array.isArray(workflow.links) ? workflow.links : [];
  const first = links.find((link) => link != null);
  return first === undefined || Array.isArray(first) ? "arrays" : "objects";
}

/** A copy litegraph can configure: version set from the sniffed link shape, null links dropped. */
export function forLitegraph(workflow: Json): Json {
  const copy = structuredClone(workflow);
  const shape = linkShape(copy);
  copy.version = shape === "arrays" ? 0.4 : 1;
  if (Array.isArray(copy.links)) copy.links = copy.links.filter((link) => link != null);
  if (Array.isArray(copy.nodes)) {
    copy.nodes = (copy.nodes as Json[]).map((node) => normaliseNode(node));
  }
  return copy;
}

function pair(value: unknown, fallback: [number, number]): [number, number] {
  if (Array.isArray(value)) return [Number(value[0] ?? fallback[0]), Number(value[1] ?? fallback[1])];
  if (isObject(value)) return [Number(value["0"] ?? fallback[0]), Number(value["1"] ?? fallback[1])];
  return fallback;
}

function normaliseNode(node: Json): Json {
  const copy = { ...node };
  copy.pos = pair(node.pos, [0, 0]);
  copy.size = pair(node.size, [220, 80]);
  return copy;
}
