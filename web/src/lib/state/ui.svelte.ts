// What the user is looking at: selection, tabs, the open dialog and the notices list.
import type { Asset } from "../../generated/api";
import { ApiError } from "../api";

export type CenterTab = "canvas" | "scene" | "asset" | "scripts" | "shots" | "storyboard" | "cast" | "timeline" | "review" | "studio";
export type LeftTab = "project" | "assets" | "nodes";
export type DialogName = "new-project" | "open-workflow" | "save-workflow" | "templates" | "save-template" | "settings";

export type Selection =
  | { kind: "none" }
  | { kind: "node"; nodeId: string }
  | { kind: "take"; shot: string; take: number; path: string }
  | { kind: "shot"; key: string }
  | { kind: "asset"; asset: Asset }
  | { kind: "file"; path: string; title: string };

export interface Notice {
  id: number;
  kind: "info" | "success" | "error" | "take" | "asset";
  title: string;
  body?: string;
  nodeId?: string;
  path?: string;
  at: number;
}

class UiState {
  selection = $state<Selection>({ kind: "none" });
  centerTab = $state<CenterTab>("canvas");
  leftTab = $state<LeftTab>("project");
  dialog = $state<DialogName | null>(null);
  notices = $state<Notice[]>([]);
  private noticeId = 0;

  notify(notice: Omit<Notice, "id" | "at">): void {
    this.notices = [{ ...notice, id: ++this.noticeId, at: Date.now() }, ...this.notices].slice(0, 50);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((notice) => notice.id !== id);
  }

  reportError(title: string, error: unknown): void {
    const body = error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
    this.notify({ kind: "error", title, body });
  }
}

export const ui = new UiState();
