// The shot list: every scene's shots from project.json, with their takes' status; inline edits
// are shown at once and rolled back with the server's message when it refuses them.
import type { Schemas } from "../../generated/api";
import { api } from "../api";
import { review } from "./review.svelte";
import { ui } from "./ui.svelte";

type Shot = Schemas["Shot"];
type Fields = Schemas["ShotFields"];
export type Slot = "slot1" | "slot2" | "slot3";
export type EditableField = "description" | "duration" | "cast" | Slot;
export const SLOTS: Slot[] = ["slot1", "slot2", "slot3"];
/** What an ingredient dragged from the Cast carries: its id. */
export const INGREDIENT_DRAG = "application/x-auteur-ingredient";
/** What a shot row dragged by its handle carries: its key. */
export const SHOT_DRAG = "application/x-auteur-shot";

export interface ShotRow {
  key: string;
  chapter: number;
  scene: number;
  slugline: string;
  location: string;
  shot: Shot;
  status: string;
  activeTake: number | null;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A shot's key as the server names it: `Chapter_01/Scene_02/Shot_03`. */
export function shotKey(chapter: number, scene: number, shot: number): string {
  return `Chapter_${pad(chapter)}/Scene_${pad(scene)}/Shot_${pad(shot)}`;
}

class ShotListState {
  chapters = $state<Schemas["Chapter"][]>([]);
  ingredients = $state<Schemas["IngredientEntry"][]>([]);
  error = $state<string | null>(null);

  /** Read the project's shots and ingredients again (after an edit the server refused). */
  async load(project: string): Promise<void> {
    this.show(await api.project(project));
  }

  /** The shots and ingredients of a manifest already read (the open project's, which every
   *  refresh reads again): copied, so an edit shown before the server answers is this list's. */
  show(manifest: Schemas["ProjectManifest"]): void {
    this.chapters = $state.snapshot(manifest.narrative.chapters ?? []) as Schemas["Chapter"][];
    this.ingredients = $state.snapshot(manifest.ingredients ?? []) as Schemas["IngredientEntry"][];
  }

  ingredient(id: string | null | undefined): Schemas["IngredientEntry"] | undefined {
    return id ? this.ingredients.find((i) => i.id === id) : undefined;
  }

  row(key: string): ShotRow | undefined {
    return this.rows.find((r) => r.key === key);
  }

  get rows(): ShotRow[] {
    const rows: ShotRow[] = [];
    for (const chapter of this.chapters) {
      for (const scene of chapter.scenes ?? []) {
        for (const shot of scene.shots ?? []) {
          const key = shotKey(chapter.number, scene.number, shot.number);
          const takes = review.takesOf(key);
          rows.push({
            key, chapter: chapter.number, scene: scene.number, slugline: scene.slugline || scene.title || "",
            location: scene.location ?? "", shot, status: takes?.status ?? "no_takes", activeTake: takes?.active_take ?? null,
          });
        }
      }
    }
    return rows;
  }

  /** The shots of the row's scene, in order. */
  sceneRows(row: ShotRow): ShotRow[] {
    return this.rows.filter((r) => r.chapter === row.chapter && r.scene === row.scene);
  }

  /** Moves a shot `delta` places within its scene (the keyboard's up and down). */
  async move(project: string, row: ShotRow, delta: number): Promise<void> {
    const from = this.sceneRows(row).findIndex((r) => r.key === row.key);
    await this.moveTo(project, row, from + delta);
  }

  /** Moves a shot to place `to` (from 0) of its scene; the server renumbers the scene 1…n in the
   * new order and moves the takes with their shots (a shot's number is its place). The list
   * shows the server's answer (or its refusal, then reloads). */
  async moveTo(project: string, row: ShotRow, to: number): Promise<void> {
    const numbers = this.sceneRows(row).map((r) => r.shot.number);
    const from = numbers.indexOf(row.shot.number);
    if (from < 0 || to < 0 || to >= numbers.length || to === from) return;
    const order = [...numbers];
    order.splice(to, 0, ...order.splice(from, 1));
    try {
      await api.reorderShots(project, { chapter: row.chapter, scene: row.scene, order });
      if (ui.selection.kind === "shot" && ui.selection.key === row.key) {
        ui.selection = { kind: "shot", key: row.key.replace(/Shot_\d+$/, `Shot_${pad(to + 1)}`) };
      }
    } catch (error) {
      ui.reportError(`Shot ${row.scene}.${row.shot.number} was not moved`, error);
    }
    await Promise.all([this.load(project), review.refresh(project)]);
  }

  /** Shows the edit at once; the server refuses it when the field changed meanwhile (409), and
   * then the row goes back to what the server holds, with its message. */
  async edit(project: string, row: ShotRow, field: EditableField, value: Fields[EditableField]): Promise<void> {
    const before = row.shot[field];
    if (JSON.stringify(before ?? null) === JSON.stringify(value ?? null)) return;
    const base: Fields = { [field]: before ?? null };
    const changes: Fields = { [field]: value };
    Object.assign(row.shot, { [field]: value });
    try {
      Object.assign(row.shot, await api.editShot(project, { shot: row.key, base, changes }));
    } catch (error) {
      Object.assign(row.shot, { [field]: before });
      ui.reportError(`Shot ${row.scene}.${row.shot.number} was not changed`, error);
      await this.load(project);
    }
  }
}

export const shotList = new ShotListState();

/** The rows as CSV (RFC 4180 quoting), in the order shown. */
export function toCsv(rows: ShotRow[]): string {
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? "" : Array.isArray(value) ? value.join("; ") : String(value);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const header = ["scene", "slugline", "shot", "description", "characters", "duration", "slot 1", "slot 2", "slot 3", "status", "active take"];
  const name = (id: string | null | undefined) => shotList.ingredient(id)?.name ?? id ?? "";
  const lines = rows.map((r) =>
    [r.scene, r.slugline, r.shot.number, r.shot.description, r.shot.cast, r.shot.duration,
      ...SLOTS.map((slot) => name(r.shot[slot])), r.status, r.activeTake].map(cell).join(","),
  );
  return [header.join(","), ...lines].join("\n") + "\n";
}
