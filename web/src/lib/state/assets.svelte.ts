// The project's assets (uploaded media and references), as the server lists them.
import type { Asset } from "../../generated/api";
import { api } from "../api";

class AssetState {
  items = $state<Asset[]>([]);

  async refresh(project: string): Promise<void> {
    this.items = (await api.assets(project)).items;
  }

  clear(): void {
    this.items = [];
  }
}

export const assets = new AssetState();
