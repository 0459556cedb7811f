// Reviewing one shot's takes: which shot, which two takes are compared, and the actions that set
// a take's status or add a note (the server stores both beside the take).
import type { ShotTakes } from "../../generated/api";
import { api, type ApiError } from "../api";
import { review } from "./review.svelte";
import { ui } from "./ui.svelte";

export type TakeStatus = "pending" | "approved" | "retake";
export type CompareMode = "side" | "wipe";

class TakeReviewState {
  shot = $state<string | null>(null);
  /** The takes shown: one, or two compared. */
  picked = $state<number[]>([]);
  mode = $state<CompareMode>("side");
  /** Where the player is (seconds): notes are added here; clicking a note seeks here. */
  time = $state(0);

  get current(): ShotTakes | undefined {
    const withTakes = review.takes.filter((s) => s.takes.length);
    return withTakes.find((s) => s.shot === this.shot) ?? withTakes[0];
  }

  choose(shot: string): void {
    this.shot = shot;
    this.picked = [];
    this.time = 0;
  }

  /** Click on a take in the strip: show it; with Compare held, the second one shown beside it. */
  pick(take: number, compare: boolean): void {
    if (!compare) this.picked = [take];
    else if (!this.picked.includes(take)) this.picked = [...this.picked.slice(-1), take];
  }

  private replace(shot: ShotTakes): void {
    review.takes = review.takes.map((item) => (item.shot === shot.shot ? shot : item));
  }

  async setStatus(project: string, take: number, status: TakeStatus): Promise<void> {
    const shot = this.current;
    if (!shot) return;
    try {
      this.replace(await api.setTakeStatus(project, { shot: shot.shot, take, status }));
    } catch (error) {
      ui.reportError(`Could not mark take ${take} ${status}`, error as ApiError);
    }
  }

  async addNote(project: string, take: number, seconds: number, text: string, fps: number): Promise<boolean> {
    const shot = this.current;
    if (!shot || !text.trim()) return false;
    try {
      const frame = Math.round(seconds * fps);
      this.replace(await api.addTakeNote(project, { shot: shot.shot, take, seconds, frame, text: text.trim() }));
      return true;
    } catch (error) {
      ui.reportError("Could not add the note", error);
      return false;
    }
  }

  async deleteNote(project: string, take: number, note: string): Promise<void> {
    const shot = this.current;
    if (!shot) return;
    try {
      this.replace(await api.deleteTakeNote(project, shot.shot, take, note));
    } catch (error) {
      ui.reportError("Could not delete the note", error);
    }
  }
}

export const takeReview = new TakeReviewState();

/** 1.5 s at 24 fps → "00:00:01:12" (hours:minutes:seconds:frames). */
export function timecode(seconds: number, fps: number): string {
  const frames = Math.round(seconds * fps);
  const whole = Math.floor(frames / fps);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(whole / 3600))}:${pad(Math.floor(whole / 60) % 60)}:${pad(whole % 60)}:${pad(frames % fps)}`;
}

/** "00:00:01:12" or "1.5" (seconds) → seconds; null when it reads as neither. */
export function parseTimecode(text: string, fps: number): number | null {
  const parts = text.trim().split(":");
  if (parts.length === 1) {
    const value = Number(parts[0]);
    return Number.isFinite(value) && value >= 0 ? value : null;
  }
  if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p))) return null;
  const [h, m, s, f] = parts.map(Number);
  return h * 3600 + m * 60 + s + f / fps;
}
