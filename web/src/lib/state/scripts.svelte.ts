// The project's screenplays (02_Source_Creative/Scripts): the list, the open script's text and
// whether it has unsaved edits; saving commits it in the project's Git.
import type { Schemas } from "../../generated/api";
import { api, type SavedDocument } from "../api";
import { runs } from "./runs.svelte";
import { ui } from "./ui.svelte";

/** The bundled template that breaks a screenplay down into scenes, shots and Veo payload takes. */
export const BREAKDOWN_TEMPLATE = "screenplay_to_veo_payloads";
export const SCRIPTS_FOLDER = "02_Source_Creative/Scripts/";
export const SCRIPT_EXTENSIONS = [".fountain", ".fdx", ".txt"];

class ScriptsState {
  list = $state<Schemas["Document"][]>([]);
  path = $state<string | null>(null);
  text = $state("");
  saved = $state("");
  lastCommit = $state<SavedDocument["commit"]>(null);

  get dirty(): boolean {
    return this.path !== null && this.text !== this.saved;
  }

  async refresh(project: string): Promise<void> {
    const items = (await api.documents(project)).items;
    this.list = items.filter((doc) => doc.path.startsWith(SCRIPTS_FOLDER));
  }

  async open(project: string, path: string): Promise<void> {
    const doc = await api.document(project, path);
    this.path = doc.path;
    this.text = this.saved = doc.content ?? "";
    this.lastCommit = null;
  }

  /** Files picked or dropped: each read as text and added to Scripts; the last one opens. */
  async upload(project: string, files: File[]): Promise<void> {
    for (const file of files) {
      if (!SCRIPT_EXTENSIONS.some((ext) => file.name.toLowerCase().endsWith(ext))) {
        ui.notify({ kind: "error", title: `${file.name} is not a screenplay`, body: `Scripts are ${SCRIPT_EXTENSIONS.join(", ")} files.` });
        continue;
      }
      try {
        const added = await api.addScript(project, file.name, await file.text());
        await this.refresh(project);
        await this.open(project, added.path);
        ui.notify({ kind: "success", title: `Added ${file.name}`, path: added.path });
      } catch (error) {
        ui.reportError(`Could not add ${file.name}`, error);
      }
    }
  }

  async create(project: string, title: string): Promise<void> {
    try {
      const doc = await api.createDocument(project, "screenplay", title);
      await this.refresh(project);
      await this.open(project, doc.path);
    } catch (error) {
      ui.reportError("Could not create the screenplay", error);
    }
  }

  async save(project: string): Promise<void> {
    if (!this.path) return;
    try {
      const text = this.text;
      const saved = await api.saveDocument(project, this.path, text);
      this.saved = text;
      this.lastCommit = saved.commit;
    } catch (error) {
      ui.reportError("Save failed", error);
    }
  }

  /** Runs the bundled breakdown template bound to the open script (no typed paths). */
  async breakDown(project: string, clientId: string): Promise<void> {
    if (!this.path) return;
    if (this.dirty) await this.save(project);
    try {
      const { template } = await api.template(BREAKDOWN_TEMPLATE);
      const accepted = await api.submitRun({ graph: template, project, params: { screenplay: this.path }, client_id: clientId });
      runs.follow(accepted.run_id, `Break down ${this.path.slice(SCRIPTS_FOLDER.length)}`, accepted.warning);
    } catch (error) {
      ui.reportError("Break down failed", error);
    }
  }
}

export const scripts = new ScriptsState();
