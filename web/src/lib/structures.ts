// The narrative structures a project can follow: one list of ids and the words shown for them.
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
