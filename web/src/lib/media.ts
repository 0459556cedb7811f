// Turning values from runs and the workspace into things a browser can show.
import { api } from "./api";
import { isObject } from "./graph/workflow";

export interface MediaRef {
  path: string;
  mime?: string;
  kind?: string;
  sha256?: string;
  duration?: number | null;
  width?: number | null;
  height?: number | null;
}

export function isMediaRef(value: unknown): value is MediaRef {
  return isObject(value) && typeof value.path === "string" && (typeof value.mime === "string" || typeof value.kind === "string");
}

export type MediaFamily = "image" | "video" | "audio" | "text" | "json" | "model" | "other";

const EXTENSIONS: Record<string, MediaFamily> = {
  png: "image", jpg: "image", jpeg: "image", gif: "image", webp: "image", bmp: "image",
  mp4: "video", mov: "video", webm: "video", mkv: "video", m4v: "video",
  wav: "audio", mp3: "audio", flac: "audio", ogg: "audio", m4a: "audio", aac: "audio",
  txt: "text", srt: "text", vtt: "text", md: "text", fountain: "text", csv: "text",
  json: "json",
  glb: "model", gltf: "model",
};

export function familyOf(path: string, mime?: string | null): MediaFamily {
  const fromMime = mime?.split("/")[0];
  if (fromMime === "image" || fromMime === "video" || fromMime === "audio") return fromMime;
  if (fromMime === "model") return "model";
  if (mime === "application/json") return "json";
  if (fromMime === "text") return "text";
  return EXTENSIONS[path.split(".").pop()?.toLowerCase() ?? ""] ?? "other";
}

/** A project-relative path for a MediaRef path (which is relative to the workspace root). */
export function projectPath(path: string, project: string | null | undefined): string | null {
  if (!project) return null;
  const prefix = `Projects/${project}/`;
  if (path.startsWith(prefix)) return path.slice(prefix.length);
  if (path.startsWith("Projects/")) return null;
  return path;
}

export function mediaUrl(path: string, project: string | null | undefined): string | null {
  const relative = projectPath(path, project);
  return relative && project ? api.fileUrl(project, relative) : null;
}

/** Text to show for a transcript-like or plain value. */
export function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (isObject(value)) {
    if (typeof value.text === "string") return value.text;
    if (Array.isArray(value.segments)) {
      return (value.segments as { text?: string }[]).map((s) => (s.text ?? "").trim()).join("\n");
    }
  }
  return JSON.stringify(value, null, 2);
}
