// Panel sizes and collapsed state, kept in localStorage.
const KEY = "auteur.layout";

interface Layout {
  left: number;
  right: number;
  progress: number;
  leftCollapsed: boolean;
  rightCollapsed: boolean;
}

const DEFAULTS: Layout = { left: 280, right: 320, progress: 300, leftCollapsed: false, rightCollapsed: false };

function read(): Layout {
  try {
    return { ...DEFAULTS, ...(JSON.parse(localStorage.getItem(KEY) ?? "{}") as Partial<Layout>) };
  } catch {
    return { ...DEFAULTS };
  }
}

class LayoutState {
  value = $state<Layout>(read());

  set<K extends keyof Layout>(key: K, value: Layout[K]): void {
    this.value[key] = value;
    localStorage.setItem(KEY, JSON.stringify(this.value));
  }
}

export const layout = new LayoutState();

export function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}
