"""`agents.consistency_check`: content against the world's rules (genre, tone, technology
level, magic and physics) and the existing characters: consistent or not, each violation with
its rule, quote and reason. The model's verdict is joined by a rule check that needs no model;
a violation of either sends the result to review."""

from __future__ import annotations

from pydantic import BaseModel, Field

from nodes.sdk import (
    AgentResult,
    Evidence,
    Input,
    Node,
    Output,
    Outputs,
    RunContext,
    agent_result,
    node,
)
from nodes.sdk.preproduction import Ingredient

from .asking import ask
from .context import WorldFacts, brief, chosen, ingredients_text, world_text
from .rules import check_rules


class Violation(BaseModel):
    rule: str = Field(max_length=100)
    quote: str = Field(max_length=240, description="The words of the content that break it")
    reason: str = Field(max_length=300)


class Verdict(BaseModel):
    consistent: bool
    violations: list[Violation] = Field(max_length=5)


class ConsistencyOut(Outputs):
    result: AgentResult = Output(socket="AGENT_RESULT")
    consistent: bool = Output(socket="BOOLEAN")


@node("agents.consistency_check", title="Consistency Check", category="Agents", version="1.0.0",
      maturity="INTERN", runs_on="runner")
class ConsistencyCheck(Node):
    """Check content against the world's rules and the existing characters."""

    content: str = Input(description="The scene, prompt or text to check", multiline=True)
    world: WorldFacts | None = Input(None, socket="WORLD")
    character_1: Ingredient | None = Input(None, socket="INGREDIENT")
    character_2: Ingredient | None = Input(None, socket="INGREDIENT")
    character_3: Ingredient | None = Input(None, socket="INGREDIENT")
    feedback: str = Input("", multiline=True, description="A reviewer's request for changes")
    always_review: bool = Input(False, description="Send every result to review")

    def run(self, ctx: RunContext) -> ConsistencyOut:
        turn = ask(ctx, Verdict, "You are a continuity editor. Say whether the content keeps to the world's rules "
                   "and the characters; quote each violation exactly and give its reason.",
                   brief(world_text(self.world), ingredients_text(chosen(self.character_1, self.character_2,
                                                                          self.character_3)),
                         f"Content:\n{self.content}"),
                   feedback=self.feedback, max_tokens=360)
        ruled = check_rules(self.content, self.world)
        # A quote the content does not hold is the model's invention, not a finding.
        quoted = [v for v in turn.value.violations if v.quote.strip() and v.quote.strip().lower() in
                  self.content.lower()]
        found = [*(Violation(rule=v.rule, quote=v.quote, reason=v.reason) for v in ruled),
                 *(v for v in quoted if not any(v.quote.strip() in r.quote for r in ruled))]
        model_says = turn.value.consistent and not quoted
        agree = model_says == (not ruled)
        evidence = [*turn.evidence,
                    Evidence(check="world_rules", passed=not ruled, score=0.0 if ruled else 1.0, blocking=True,
                             detail="; ".join(v.reason for v in ruled) or "no rule of the world is broken"),
                    Evidence(check="agreement", passed=agree, score=1.0 if agree else 0.3,
                             detail="the model and the rule check agree" if agree else
                             f"the model found it {'consistent' if model_says else 'inconsistent'}; the rule check did not")]
        if turn.value.violations:
            evidence.append(Evidence(check="quotes_verified", passed=len(quoted) == len(turn.value.violations),
                                     score=len(quoted) / len(turn.value.violations),
                                     detail=f"{len(quoted)} of {len(turn.value.violations)} quotes are in the content"))
        verdict = Verdict(consistent=not found, violations=found)
        summary = ("Consistent with the world and the characters." if not found else
                   f"{len(found)} violation(s): " + "; ".join(f"“{v.quote}” — {v.reason}" for v in found))
        result = agent_result(content=summary, structured=verdict.model_dump(), model=turn.model, tokens=turn.tokens,
                              evidence=evidence, always_review=self.always_review)
        return ConsistencyOut(result=result, consistent=verdict.consistent)
