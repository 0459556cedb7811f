// What the workflow on the canvas will cost before it is queued: the server's estimate of its
// provider nodes against the project's budget, asked again a moment after each change. Queue's
// own request refuses a run over budget with the server's words (`refused`, set by the runs store).
import type { NodeSpec } from "../../generated/api";
import { api } from "../api";
import { isFrontendOnly } from "../graph/editor";
import { isObject, type Json } from "../graph/workflow";
import type { CostEstimate } from "../endpoints/runs";
import { money } from "../money";
import { graph } from "./graph.svelte";
import { project } from "./project.svelte";

const SETTLE_MS = 400;

/** Whether a workflow holds a node whose type declares a price, at any depth of its subgraphs
 *  (an instance counts by its definition's nodes; a type this editor does not know may charge:
 *  the server decides for it). */
function chargesAnything(workflow: Json, catalog: Map<string, NodeSpec>): boolean {
  const definitions = isObject(workflow.definitions) ? workflow.definitions : {};
  const inner = (Array.isArray(definitions.subgraphs) ? definitions.subgraphs : []).filter(isObject);
  const subgraphIds = new Set(inner.map((subgraph) => subgraph.id));
  return [workflow, ...inner].some((body) =>
    (Array.isArray(body.nodes) ? body.nodes : []).some((node) => {
      const type = isObject(node) && typeof node.type === "string" ? node.type : "";
      if (isFrontendOnly(type) || subgraphIds.has(type)) return false;
      const spec = catalog.get(type);
      return spec === undefined || spec.priced;
    }),
  );
} // a drag or typing changes the graph many times a second

class CostState {
  estimate = $state<CostEstimate | null>(null);
  /** Why Queue refused the last run (over budget), until the estimate fits again. */
  refused = $state("");
  private asked = 0;
  /** What the shown estimate was asked for: a change that leaves it the same asks nothing. */
  private askedFor = "";
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** "Estimated cost: $X.XX — budget left $Y" (or "no budget"); empty when nothing is priced. */
  get line(): string {
    const e = this.estimate;
    if (!e || !e.nodes.length) return "";
    const approx = e.approximate ? "≈" : "";
    const left = e.left_usd == null ? "no budget" : `budget left ${money(e.left_usd)}`;
    return `Estimated cost: ${approx}${money(e.total_usd)} — ${left}`;
  }

  /** Ask again once the graph has settled. */
  soon(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh().catch(() => undefined), SETTLE_MS);
  }

  /** The estimate of the canvas as it is now, unless that was the last one asked; an earlier
   *  answer arriving later is dropped. */
  async refresh(): Promise<CostEstimate | null> {
    const editor = graph.editor;
    if (!editor) return null;
    const workflow = editor.current();
    // Nothing on the canvas charges anything: no estimate to ask (a 1,000-node graph was sent,
    // all 330 kB of it, 400 ms after every edit).
    if (!chargesAnything(workflow, editor.catalog)) {
      this.askedFor = "";
      this.asked += 1; // an answer still on its way is for a graph no longer shown
      this.estimate = null;
      this.refused = "";
      return null;
    }
    const body = { graph: workflow, project: project.name || null, tier: project.tier };
    const key = JSON.stringify(body);
    if (key === this.askedFor) return this.estimate;
    this.askedFor = key;
    const ask = ++this.asked;
    let answer: CostEstimate;
    try {
      answer = await api.estimateRun(body);
    } catch (error) {
      if (ask === this.asked) this.askedFor = ""; // asked again at the next change
      throw error;
    }
    if (ask === this.asked) {
      this.estimate = answer;
      if (!answer.over_budget) this.refused = "";
    }
    return answer;
  }
}

export const cost = new CostState();
