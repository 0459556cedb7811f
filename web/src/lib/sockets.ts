// Socket types: colours on the canvas, and the compatibility rule shared with the server
// (SOCKET_RULES is generated from nodes.sdk.sockets_compatible).
import { SOCKET_RULES } from "../generated/api";
import { mix } from "./colour";

export const ANY = "*";

export const SOCKET_COLOURS: Record<string, string> = {
  VIDEO: "#e0607e",
  AUDIO: "#5fb6e8",
  IMAGE: "#64b5a0",
  MEDIA: "#c78bd9",
  FILE: "#a0a6b3",
  TRANSCRIPT: "#e8c25f",
  STEMS: "#4f8be0",
  INGREDIENT: "#e89b5f",
  SHOT: "#d96b3f",
  VEO_PAYLOAD: "#9b7fe8",
  SPEAKER: "#7fd98b",
  TEXT: "#9ccf62",
  INT: "#6fa8dc",
  FLOAT: "#8fb3d9",
  BOOLEAN: "#d98fa0",
  "*": "#cfcfcf",
};

let darkening = 0;

/** Mix every socket colour toward black by `amount` (the light theme's contrast). */
export function setSocketDarkening(amount: number): void {
  darkening = amount;
}

export function socketColour(type: string): string {
  const colour = SOCKET_COLOURS[type] ?? "#b9b9b9";
  return darkening ? mix(colour, -darkening) : colour;
}

/** Whether an output of `output` may feed an input of `input` (same rule as the server). */
export function socketsCompatible(output: string, input: string): boolean {
  if (output === input || output === ANY || input === ANY || output === "" || input === "") return true;
  const allowed = SOCKET_RULES[output];
  return allowed ? allowed.includes(input) : false;
}

/** litegraph slot types may be comma-joined alternatives, or numbers for events. */
export function slotTypesCompatible(output: unknown, input: unknown): boolean {
  const outs = String(output ?? "").split(",");
  const ins = String(input ?? "").split(",");
  return outs.some((o) => ins.some((i) => socketsCompatible(o.trim(), i.trim())));
}
