// Colour arithmetic shared by the canvas theme and the socket colours.

/** A hex colour mixed toward white (`amount` > 0) or black (< 0); anything else as it is. */
export function mix(colour: string, amount: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(colour)?.[1];
  if (!hex) return colour;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
  const target = amount > 0 ? 255 : 0;
  const channels = [0, 2, 4].map((at) => parseInt(full.slice(at, at + 2), 16)).map((c) => Math.round(c + (target - c) * Math.abs(amount)));
  return `#${channels.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}
