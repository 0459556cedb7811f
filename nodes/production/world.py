"""`production.world` and `production.style_guide`: the context every prompt takes into account."""

from __future__ import annotations

from nodes.sdk import Input, Node, Output, Outputs, RunContext, node

from .domain import StyleGuide, World
from .project_files import project_asset


class WorldOut(Outputs):
    world: World = Output(socket="WORLD")


class StyleOut(Outputs):
    style: StyleGuide = Output(socket="STYLE_GUIDE")


@node("production.world", title="World", category="Production/Context", version="1.0.0",
      maturity="INTERN", runs_on="inline")
class WorldNode(Node):
    """The story world: genre, physics, magic system, tech level, tone."""

    name: str = Input("")
    genre: str = Input("")
    physics: str = Input("", multiline=True)
    magic_system: str = Input("", multiline=True)
    tech_level: str = Input("")
    tone: str = Input("")

    def run(self, ctx: RunContext) -> WorldOut:
        return WorldOut(world=World(**self.model_dump()))


@node("production.style_guide", title="Style Guide", category="Production/Context", version="1.0.0",
      maturity="INTERN", runs_on="inline")
class StyleGuideNode(Node):
    """The look: palette (hex colours, comma-separated), mood, lighting, lens, camera language."""

    name: str = Input("")
    palette: str = Input("", description="e.g. #0B1D3A, #F2A65A")
    mood: str = Input("")
    lighting: str = Input("")
    lens: str = Input("")
    camera_language: str = Input("", multiline=True)
    reference_1: str = Input("", widget="path", picks="image")
    reference_2: str = Input("", widget="path", picks="image")
    reference_3: str = Input("", widget="path", picks="image")

    def run(self, ctx: RunContext) -> StyleOut:
        refs = [project_asset(ctx, p) for p in (self.reference_1, self.reference_2, self.reference_3) if p]
        palette = [colour.strip() for colour in self.palette.split(",") if colour.strip()]
        return StyleOut(style=StyleGuide(
            name=self.name, palette=palette, mood=self.mood, lighting=self.lighting, lens=self.lens,
            camera_language=self.camera_language, reference_images=refs))
