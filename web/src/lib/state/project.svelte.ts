// The open project: the list to choose from, its manifest, tree and saved workflows; refreshing it
// refreshes the other domains that live in the project (assets, takes).
import type { ProjectSummary, TreeNode } from "../../generated/api";
import { api, type ProjectManifest, type WorkflowInfo } from "../api";
import { assets } from "./assets.svelte";
import { review } from "./review.svelte";

export type Tier = ProjectManifest["quality"];

const LAST_PROJECT = "auteur.project";

class ProjectState {
  list = $state<ProjectSummary[]>([]);
  current = $state<ProjectManifest | null>(null);
  tree = $state<TreeNode | null>(null);
  workflows = $state<WorkflowInfo[]>([]);
  /** The caller's own workflows (not in a project: saved from ComfyUI's frontend, say). */
  mine = $state<WorkflowInfo[]>([]);
  tier = $state<Tier>("standard");
  /** Called after the open project changes (the event stream resubscribes). */
  onSelect: () => void = () => {};

  get name(): string | null {
    return this.current?.name ?? null;
  }

  async loadList(): Promise<void> {
    [this.list] = await Promise.all([api.projects().then((listed) => listed.items), this.refreshMine()]);
  }

  /** The project opened last time, or the first one. */
  lastUsed(): ProjectSummary | undefined {
    const last = localStorage.getItem(LAST_PROJECT);
    return this.list.find((p) => p.name === last || p.id === last) ?? this.list[0];
  }

  async select(name: string): Promise<void> {
    this.current = await api.project(name);
    this.tier = this.current.quality;
    localStorage.setItem(LAST_PROJECT, this.current.name);
    this.onSelect();
    await this.refresh({ manifest: false }); // just read
  }

  /** Re-read what the server holds of the open project: its manifest too, which a breakdown, a
   * conform or a take's mirror changes (the structure badge describes the narrative as it is). */
  async refresh({ manifest: withManifest = true }: { manifest?: boolean } = {}): Promise<void> {
    const name = this.name;
    if (!name) return;
    const [manifest, tree, workflows] = await Promise.all([
      withManifest ? api.project(name) : null,
      api.tree(name),
      api.workflows(name),
      assets.refresh(name),
      review.refresh(name),
      this.refreshMine(),
    ]);
    if (this.name !== name) return; // another project was opened meanwhile
    if (manifest) this.current = manifest;
    this.tree = tree;
    this.workflows = workflows.items;
  }

  async refreshWorkflows(): Promise<void> {
    if (this.name) this.workflows = (await api.workflows(this.name)).items;
    await this.refreshMine();
  }

  /** The caller's own workflows, ComfyUI's frontend's included. */
  async refreshMine(): Promise<void> {
    this.mine = (await api.userWorkflows()).items;
  }
}

export const project = new ProjectState();
