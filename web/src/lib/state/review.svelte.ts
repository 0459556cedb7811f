// Takes of the project's shots and the scene being reviewed.
import type { Schemas, ShotTakes } from "../../generated/api";
import { api } from "../api";

class ReviewState {
  takes = $state<ShotTakes[]>([]);
  /** Takes of whole scenes (animatics): not shots. */
  scenes = $state<Schemas["SceneTakes"][]>([]);
  selectedScene = $state<string | null>(null);

  async refresh(project: string): Promise<void> {
    const gallery = await api.takes(project);
    this.takes = gallery.shots;
    this.scenes = gallery.scenes ?? [];
  }

  /** The takes of a shot or of a scene (`Chapter_01/Scene_01/Animatic`), by their key. */
  takesOfKey(key: string): Schemas["TakeInfo"][] {
    return this.takesOf(key)?.takes ?? this.scenes.find((s) => s.key === key)?.takes ?? [];
  }

  takesOf(shot: string): ShotTakes | undefined {
    return this.takes.find((s) => s.shot === shot);
  }
}

export const review = new ReviewState();
