// The open workflows kept in the browser's localStorage, so a reload, a crash or a closed tab
// loses nothing: each one as opened (or last saved) and as it is now, with its name and view.
// One autosave per project and browser tab (`auteur.canvas.autosave:<project>:<tab>`): opening
// project B never restores project A's graph, and two tabs never overwrite each other's.
import { clientId } from "../events";
import { isObject, type Json } from "./workflow";

const PREFIX = "auteur.canvas.autosave";
/** The one key every project shared before autosaves were kept per project. */
const LEGACY = PREFIX;
/** Autosaves kept per project (other browser tabs', newest first); older ones are dropped. */
const KEPT_PER_PROJECT = 4;

export interface SavedWorkflow {
  name: string;
  /** The project workflow Ctrl+S writes to; null until it has one. */
  savedName: string | null;
  /** The workflow as opened or last saved (null: a new canvas). */
  original: Json | null;
  /** The workflow as it is now. */
  graph: Json;
  view: { scale: number; offset: [number, number] };
}

export interface Autosave {
  active: number;
  workflows: SavedWorkflow[];
  /** When it was written (ms since the epoch): the newest of a project's is restored in a new tab. */
  savedAt?: number;
}

function isSavedWorkflow(value: unknown): value is SavedWorkflow {
  return (
    isObject(value) &&
    typeof value.name === "string" &&
    (value.savedName === null || typeof value.savedName === "string") &&
    (value.original === null || isObject(value.original)) &&
    isObject(value.graph) &&
    isObject(value.view) &&
    typeof value.view.scale === "number" &&
    Array.isArray(value.view.offset)
  );
}

function projectPrefix(project: string | null): string {
  return `${PREFIX}:${encodeURIComponent(project ?? "")}:`;
}

/** The keys of the project's autosaves, one per browser tab that wrote one. */
function keysOf(project: string | null): string[] {
  const prefix = projectPrefix(project);
  const keys: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key?.startsWith(prefix)) keys.push(key);
  }
  return keys;
}

/** An autosave this editor wrote, or null. */
function parse(key: string): Autosave | null {
  try {
    const data: unknown = JSON.parse(localStorage.getItem(key) ?? "null");
    if (!isObject(data) || typeof data.active !== "number" || !Array.isArray(data.workflows)) return null;
    const workflows = data.workflows.filter(isSavedWorkflow);
    if (!workflows.length) return null;
    const savedAt = typeof data.savedAt === "number" ? data.savedAt : 0;
    return { active: Math.min(Math.max(0, data.active), workflows.length - 1), workflows, savedAt };
  } catch {
    return null;
  }
}

/** When an autosave was written, read from the start of its text (written first); an older
 *  one, written last, is parsed. */
function savedAtOf(key: string): number {
  const head = /^\{"savedAt":(\d+)[,}]/.exec(localStorage.getItem(key)?.slice(0, 40) ?? "");
  return head ? Number(head[1]) : (parse(key)?.savedAt ?? 0);
}

/** The project's autosave for this browser tab: its own (a reload), else the newest another tab
 *  left for the project (a closed tab's work), else, once, the one every project shared before.
 *  Null when the project has none. */
export function readAutosave(project: string | null): Autosave | null {
  const own = parse(projectPrefix(project) + clientId());
  if (own) return own;
  const newest = keysOf(project)
    .map(parse)
    .filter((found): found is Autosave => found !== null)
    .sort((a, b) => (b.savedAt ?? 0) - (a.savedAt ?? 0))[0];
  if (newest) return newest;
  const legacy = parse(LEGACY);
  localStorage.removeItem(LEGACY);
  return legacy;
}

/** Write this tab's autosave of the project; false when the browser refused it (its storage is full). */
export function writeAutosave(project: string | null, autosave: Autosave): boolean {
  try {
    // `savedAt` first: finding the stale ones below reads it without parsing whole workflows.
    localStorage.setItem(projectPrefix(project) + clientId(), JSON.stringify({ savedAt: Date.now(), ...autosave }));
    const stale = keysOf(project)
      .map((key) => ({ key, savedAt: savedAtOf(key) }))
      .sort((a, b) => b.savedAt - a.savedAt)
      .slice(KEPT_PER_PROJECT);
    for (const { key } of stale) localStorage.removeItem(key);
    return true;
  } catch {
    return false;
  }
}
