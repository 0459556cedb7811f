// Fountain screenplay lines by kind, for the editor's highlighting, its preview and its scene
// navigator (https://fountain.io/syntax). Line-based: each line is classified once, in order.

export type LineKind =
  | "title"
  | "scene"
  | "character"
  | "parenthetical"
  | "dialogue"
  | "transition"
  | "note"
  | "centered"
  | "section"
  | "action"
  | "blank";

export interface ScriptLine {
  kind: LineKind;
  text: string;
  /** 0-based line number in the source. */
  line: number;
}

const SCENE = /^(?:INT|EXT|EST|INT\.?\/EXT|I\/E)[. ]/i;
const TRANSITION = /^[A-Z0-9 .'-]+TO:$/;
const CHARACTER = /^[A-Z0-9 ._'\-#]+(?:\s*\([^)]*\))?\s*\^?$/;

export function classify(source: string): ScriptLine[] {
  const lines = source.split("\n");
  const out: ScriptLine[] = [];
  let inTitlePage = /^[A-Za-z ]+:/.test(lines[0] ?? "");
  let inDialogue = false;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i];
    const trimmed = text.trim();
    const before = i === 0 ? "" : lines[i - 1].trim();
    const after = (lines[i + 1] ?? "").trim();
    let kind: LineKind;
    if (!trimmed) {
      kind = "blank";
      inTitlePage = false;
      inDialogue = false;
    } else if (inTitlePage) {
      kind = "title";
    } else if (/^\[\[.*\]\]$/.test(trimmed)) {
      kind = "note";
    } else if (inDialogue) {
      kind = /^\(.*\)$/.test(trimmed) ? "parenthetical" : "dialogue";
    } else if ((SCENE.test(trimmed) || /^\.[^.]/.test(trimmed)) && !before) {
      kind = "scene";
    } else if (trimmed.startsWith("#")) {
      kind = "section";
    } else if (/^>.*<$/.test(trimmed)) {
      kind = "centered";
    } else if ((TRANSITION.test(trimmed) || (trimmed.startsWith(">") && !trimmed.endsWith("<"))) && !before && !after) {
      kind = "transition";
    } else if ((trimmed.startsWith("@") || (CHARACTER.test(trimmed) && /[A-Z]/.test(trimmed))) && !before && after) {
      kind = "character";
      inDialogue = true;
    } else {
      kind = "action";
    }
    out.push({ kind, text, line: i });
  }
  return out;
}

/** The scene headings, for the navigator: the line each starts on and its slugline. */
export function scenes(lines: ScriptLine[]): { line: number; heading: string; number: number }[] {
  return lines
    .filter((l) => l.kind === "scene")
    .map((l, index) => ({ line: l.line, heading: l.text.trim().replace(/^\./, ""), number: index + 1 }));
}
