// US dollars as the editor shows them everywhere (the studio's spend, the run's estimate).
export function money(value: number): string {
  return `$${value.toFixed(2)}`;
}
