// Takes of the project's shots and the scene being reviewed.
import type { ShotTakes } from "../../generated/api";
import { api } from "../api";

class ReviewState {
  takes = $state<ShotTakes[]>([]);
  selectedScene = $state<string | null>(null);

  async refresh(project: string): Promise<void> {
    this.takes = (await api.takes(project)).shots;
  }

  takesOf(shot: string): ShotTakes | undefined {
    return this.takes.find((s) => s.shot === shot);
  }
}

export const review = new ReviewState();
