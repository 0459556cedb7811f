// The open workflows kept in the browser's localStorage, so a reload, a crash or a closed tab
// loses nothing: each one as opened (or last saved) and as it is now, with its name and view.
import { isObject, type Json } from "./workflow";

const KEY = "auteur.canvas.autosave";

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

/** The autosave, or null when there is none or it is not one this editor wrote. */
export function readAutosave(): Autosave | null {
  try {
    const data: unknown = JSON.parse(localStorage.getItem(KEY) ?? "null");
    if (!isObject(data) || typeof data.active !== "number" || !Array.isArray(data.workflows)) return null;
    const workflows = data.workflows.filter(isSavedWorkflow);
    if (!workflows.length) return null;
    return { active: Math.min(Math.max(0, data.active), workflows.length - 1), workflows };
  } catch {
    return null;
  }
}

/** Write the autosave; false when the browser refused it (its storage is full). */
export function writeAutosave(autosave: Autosave): boolean {
  try {
    localStorage.setItem(KEY, JSON.stringify(autosave));
    return true;
  } catch {
    return false;
  }
}
