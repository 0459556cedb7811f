"""`agents.consistency_check`: content against the world's rules (genre, tone, technology
level, magic and physics), the existing characters and the project's story timeline: consistent
or not, each violation with its rule, quote and reason. The model's verdict is joined by rule
checks that need no model (the world's, the timeline's); a violation of either sends the result
to review."""

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

from .asking import Example, ask
from .context import WorldFacts, brief, chosen, ingredients_text, world_text
from .rules import RuleViolation, check_rules
from .timeline import at_input, check_timeline, project_timeline, story_point, timeline_text


class Violation(BaseModel):
    rule: str = Field(max_length=100)
    quote: str = Field(max_length=240, description="The words of the content that break it")
    reason: str = Field(max_length=300)


class Verdict(BaseModel):
    consistent: bool
    violations: list[Violation] = Field(max_length=5)


EXAMPLE = Example("World rules: genre: drama; tech level: stone age.\n\n"
                  "Content:\nUgg carries fire into the cave. He checks his wristwatch.",
                  # Worded so that a small model copying the example's rule and reason still says something true.
                  Verdict(consistent=False, violations=[Violation(
                      rule="technology level", quote="He checks his wristwatch.",
                      reason="a wristwatch does not exist at this technology level")]))


class Report(BaseModel):
    """What the check found, every violation kept (the model's own answer is bounded, not this)."""

    consistent: bool
    violations: list[Violation]


def _violation(found: RuleViolation) -> Violation:
    """A rule check's finding within the bounds of a Violation (a quote's start is still a quote)."""
    return Violation(rule=found.rule[:100], quote=found.quote[:240], reason=found.reason[:300])


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
    at: str = at_input("the content")
    feedback: str = Input("", multiline=True, description="A reviewer's request for changes")
    always_review: bool = Input(False, description="Send every result to review")

    def run(self, ctx: RunContext) -> ConsistencyOut:
        events = project_timeline(ctx)
        point = story_point(self.at, events)
        turn = ask(ctx, Verdict, "You are a continuity editor. Say whether the content keeps to the world's rules, "
                   "the characters and the story timeline; quote each violation exactly and give its reason.",
                   brief(world_text(self.world), ingredients_text(chosen(self.character_1, self.character_2,
                                                                          self.character_3)),
                         timeline_text(events, point), f"Content:\n{self.content}"),
                   example=EXAMPLE, feedback=self.feedback, max_tokens=360)
        world_ruled = check_rules(self.content, self.world)
        timed = check_timeline(self.content, events, point)
        ruled = [*world_ruled, *timed]
        # A quote the content does not hold is the model's invention, not a finding.
        quoted = [v for v in turn.value.violations if v.quote.strip() and v.quote.strip().lower() in
                  self.content.lower()]
        found = [*(_violation(v) for v in ruled),
                 *(v for v in quoted if not any(v.quote.strip() in r.quote for r in ruled))]
        model_says = turn.value.consistent and not quoted
        agree = model_says == (not ruled)
        evidence = [*turn.evidence,
                    Evidence(check="world_rules", passed=not world_ruled, score=0.0 if world_ruled else 1.0,
                             blocking=True,
                             detail="; ".join(v.reason for v in world_ruled) or "no rule of the world is broken"),
                    Evidence(check="agreement", passed=agree, score=1.0 if agree else 0.3,
                             detail="the model and the rule check agree" if agree else
                             f"the model found it {'consistent' if model_says else 'inconsistent'}; the rule check did not")]
        if events:
            evidence.append(Evidence(check="timeline", passed=not timed, score=0.0 if timed else 1.0, blocking=True,
                                     detail="; ".join(v.reason for v in timed) or
                                     f"keeps to the {len(events)} events of the timeline"))
        if turn.value.violations:
            evidence.append(Evidence(check="quotes_verified", passed=len(quoted) == len(turn.value.violations),
                                     score=len(quoted) / len(turn.value.violations),
                                     detail=f"{len(quoted)} of {len(turn.value.violations)} quotes are in the content"))
        verdict = Report(consistent=not found, violations=found)
        summary = ("Consistent with the world and the characters." if not found else
                   f"{len(found)} violation(s): " + "; ".join(f"“{v.quote}” — {v.reason}" for v in found))
        result = agent_result(content=summary, structured=verdict.model_dump(), model=turn.model, tokens=turn.tokens,
                              evidence=evidence, always_review=self.always_review)
        return ConsistencyOut(result=result, consistent=verdict.consistent)
