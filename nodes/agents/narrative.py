"""`agents.narrative`: a scene (prose plus setting, beats and the characters present) or a video
prompt, from a prompt, the world, the style guide, the chosen characters and the project's story
timeline (its events in order, and where the scene stands among them)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, create_model

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

from .asking import Example, ask, length_evidence
from .context import WorldFacts, brief, chosen, ingredients_text, style_text, world_text
from .timeline import at_input, check_timeline, project_timeline, story_point, timeline_text

CHARS_PER_WORD = 7  # an English word and its space, with room to spare
Name = Annotated[str, Field(max_length=30)]
Beat = Annotated[str, Field(max_length=80)]


class SceneDetails(BaseModel):
    """What the model must answer; the lengths bound its decoding (a small model fills a
    string to its bound, so the scene's own bound follows the words asked for)."""

    title: str = Field(max_length=60)
    setting: str = Field(max_length=120)
    characters_present: list[Name] = Field(max_length=3)
    beats: list[Beat] = Field(min_length=1, max_length=3)
    text: str = Field(min_length=1, max_length=1000 * CHARS_PER_WORD, description="The scene's prose, or the video prompt")


def scene_schema(words: int) -> type[SceneDetails]:
    """SceneDetails whose text holds at most `words` words."""
    bounded: type[SceneDetails] = create_model(
        "SceneDetails", __base__=SceneDetails,
        text=(str, Field(min_length=1, max_length=words * CHARS_PER_WORD, description="The scene's prose")))
    return bounded


_EXAMPLE_REQUEST = ("World rules: genre: western; tone: dry; tech level: 1880s.\n\n"
                    "Characters and elements:\n- Ada (character): a telegraph operator\n\n"
                    "Prompt: Ada hears a warning on the wire")
EXAMPLES = {
    "scene": Example(_EXAMPLE_REQUEST, SceneDetails(
        title="The Wire", setting="a telegraph office at night", characters_present=["Ada"],
        beats=["the key clicks", "Ada decodes the warning", "she runs for the sheriff"],
        text="The key clicked in the dark office. Ada leaned over the desk and wrote each letter as it came: "
             "RIDERS AT DAWN. She read it twice, blew out the lamp and ran into the street with the paper "
             "in her fist.")),
    "video_prompt": Example(_EXAMPLE_REQUEST, SceneDetails(
        title="The Wire", setting="a telegraph office at night", characters_present=["Ada"],
        beats=["the key clicks", "Ada reads the warning", "she runs out"],
        text="A young telegraph operator in a dim 1880s office leans over her clicking brass key, lamp light on "
             "her face as she writes the message down. Slow push-in on her eyes widening, then she grabs the "
             "paper and bolts for the door. Warm tungsten glow, deep shadows, 35mm film.")),
}


class AgentOut(Outputs):
    result: AgentResult = Output(socket="AGENT_RESULT")
    text: str = Output(socket="TEXT")


@node("agents.narrative", title="Narrative Agent", category="Agents", version="1.0.0", maturity="INTERN",
      runs_on="runner")
class Narrative(Node):
    """Write a scene of the requested length (or a video prompt) that keeps to the world, the style
    guide and the chosen characters; scored, and sent to review when unsure."""

    prompt: str = Input(description="What happens", multiline=True)
    form: Literal["scene", "video_prompt"] = Input("scene")
    words: int = Input(400, ge=30, le=1000, description="Length of the scene in words (a video prompt: 40–120)")
    world: WorldFacts | None = Input(None, socket="WORLD")
    style: WorldFacts | None = Input(None, socket="STYLE_GUIDE")
    character_1: Ingredient | None = Input(None, socket="INGREDIENT")
    character_2: Ingredient | None = Input(None, socket="INGREDIENT")
    character_3: Ingredient | None = Input(None, socket="INGREDIENT")
    at: str = at_input("the scene")
    feedback: str = Input("", multiline=True, description="A reviewer's request for changes")
    always_review: bool = Input(False, description="Send every result to review")

    def run(self, ctx: RunContext) -> AgentOut:
        characters = chosen(self.character_1, self.character_2, self.character_3)
        events = project_timeline(ctx)
        point = story_point(self.at, events)
        low, high = (40, 120) if self.form == "video_prompt" else (max(30, self.words * 3 // 4), self.words * 5 // 4)
        what = ("a video-generation prompt (one paragraph: subject, action, setting, camera, light)"
                if self.form == "video_prompt" else f"a film scene in prose of about {self.words} words")
        turn = ask(ctx, scene_schema(high), f"You are a screenwriter. Write {what}, with its title, setting, beats and "
                   "the characters present.",
                   brief(world_text(self.world), style_text(self.style), ingredients_text(characters),
                         timeline_text(events, point), f"Prompt: {self.prompt}"),
                   example=EXAMPLES[self.form], feedback=self.feedback, max_tokens=high * CHARS_PER_WORD // 3 + 240)
        scene = turn.value
        named = [c.name for c in characters if c.name.lower() in scene.text.lower()]
        evidence = [*turn.evidence, length_evidence(scene.text, low, high)]
        if characters:
            evidence.append(Evidence(check="characters", passed=len(named) == len(characters),
                                     score=len(named) / len(characters),
                                     detail=f"{len(named)} of {len(characters)} chosen characters appear"))
        if events:
            timed = check_timeline(scene.text, events, point)
            evidence.append(Evidence(check="timeline", passed=not timed, score=0.0 if timed else 1.0, blocking=True,
                                     detail="; ".join(v.reason for v in timed) or
                                     f"keeps to the {len(events)} events of the timeline"))
        result = agent_result(content=scene.text, structured=SceneDetails.model_validate(scene.model_dump()).model_dump(), model=turn.model,
                              tokens=turn.tokens, evidence=evidence, always_review=self.always_review)
        return AgentOut(result=result, text=scene.text)
