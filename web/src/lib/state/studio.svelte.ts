// The studio view's state: the overview the server answered and the filters asked for.
import { studioEndpoints, type StudioProject } from "../endpoints/studio";

export type KindFilter = StudioProject["kind"] | "";
export type StatusFilter = StudioProject["status"] | "";

class StudioState {
  projects = $state<StudioProject[]>([]);
  damaged = $state<string[]>([]);
  kind = $state<KindFilter>("");
  status = $state<StatusFilter>("");
  loading = $state(false);
  error = $state<string | null>(null);
  /** The latest refresh: an earlier one answering after it (filters changed quickly) is dropped. */
  private asked = 0;

  async refresh(): Promise<void> {
    const ask = ++this.asked;
    this.loading = true;
    try {
      const overview = await studioEndpoints.studio({ kind: this.kind || undefined, status: this.status || undefined });
      if (ask !== this.asked) return;
      this.projects = overview.projects;
      this.damaged = overview.damaged;
      this.error = null;
    } catch (e) {
      if (ask !== this.asked) return;
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      if (ask === this.asked) this.loading = false;
    }
  }
}

export const studio = new StudioState();
