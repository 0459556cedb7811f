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

  async refresh(): Promise<void> {
    this.loading = true;
    try {
      const overview = await studioEndpoints.studio({ kind: this.kind || undefined, status: this.status || undefined });
      this.projects = overview.projects;
      this.damaged = overview.damaged;
      this.error = null;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      this.loading = false;
    }
  }
}

export const studio = new StudioState();
