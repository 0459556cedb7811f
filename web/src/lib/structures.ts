// The narrative structures a project can follow: one list of ids and the words shown for them.
import type { components } from "../generated/api";

type Narrative = components["schemas"]["Narrative"];

export const STRUCTURES: readonly (readonly [id: string, label: string])[] = [
  ["three-act", "Three-act structure"],
  ["heros-journey", "Hero's Journey"],
  ["story-circle", "Story Circle"],
  ["beat-sheet", "Beat Sheet"],
];

/** The words for a structure id ("heros-journey" → "Hero's Journey"); unknown ids as they are. */
export function structureLabel(id: string | null | undefined): string {
  if (!id) return "—";
  return STRUCTURES.find(([known]) => known === id)?.[1] ?? id;
}

/** What the project's badge says: the structure's name while its acts are the story; once a
 * screenplay is broken down (its scenes replace the untouched placeholder acts), the screenplay's
 * own scenes — the structure's name would describe acts that are gone. */
export function narrativeLabel(narrative: Narrative | null | undefined): string {
  const chapters = narrative?.chapters ?? [];
  if (!chapters.some((chapter) => chapter.breakdown)) return structureLabel(narrative?.structure);
  const scenes = chapters.reduce((count, chapter) => count + (chapter.scenes?.length ?? 0), 0);
  const parts = chapters.length > 1 ? [`${chapters.length} chapters`] : [];
  return ["Screenplay", ...parts, `${scenes} scene${scenes === 1 ? "" : "s"}`].join(" · ");
}
