"""Cheap inline nodes that produce, combine and show plain values."""

from __future__ import annotations

from typing import Any

from nodes.sdk import Input, Node, Output, Outputs, RunContext, node


class TextOut(Outputs):
    text: str = Output(socket="TEXT")


class IntOut(Outputs):
    value: int = Output(socket="INT")


class FloatOut(Outputs):
    value: float = Output(socket="FLOAT")


class BoolOut(Outputs):
    value: bool = Output(socket="BOOLEAN")


class NumberOut(Outputs):
    value: int | float = Output(socket="FLOAT")


class ShowOut(Outputs):
    value: Any = Output(ui=True, socket="*", description="The value shown, recorded as a run output")


@node("core.text", title="Text", category="Core/Values", version="1.0.0", maturity="STUDENT")
class Text(Node):
    """A text constant."""

    value: str = Input("", description="The text", multiline=True)

    def run(self, ctx: RunContext) -> TextOut:
        return TextOut(text=self.value)


@node("core.integer", title="Integer", category="Core/Values", version="1.0.0", maturity="STUDENT")
class Integer(Node):
    """An integer constant."""

    value: int = Input(0, description="The integer", step=1)

    def run(self, ctx: RunContext) -> IntOut:
        return IntOut(value=self.value)


@node("core.float", title="Float", category="Core/Values", version="1.0.0", maturity="STUDENT")
class Float(Node):
    """A floating-point constant."""

    value: float = Input(0.0, description="The number", step=0.01)

    def run(self, ctx: RunContext) -> FloatOut:
        return FloatOut(value=self.value)


@node("core.boolean", title="Boolean", category="Core/Values", version="1.0.0", maturity="STUDENT")
class Boolean(Node):
    """A true/false constant."""

    value: bool = Input(False, description="The flag")

    def run(self, ctx: RunContext) -> BoolOut:
        return BoolOut(value=self.value)


@node("core.add", title="Add", category="Core/Math", version="1.0.0", maturity="STUDENT")
class Add(Node):
    """a + b; integers stay integers, a float on either side gives a float."""

    a: int | float = Input(0, description="First operand")
    b: int | float = Input(0, description="Second operand")

    def run(self, ctx: RunContext) -> NumberOut:
        return NumberOut(value=self.a + self.b)


@node("core.join_text", title="Join Text", category="Core/Text", version="1.0.0", maturity="STUDENT")
class JoinText(Node):
    """Join two texts with a separator."""

    a: str = Input("", description="First text")
    b: str = Input("", description="Second text")
    separator: str = Input(" ", description="Placed between a and b")

    def run(self, ctx: RunContext) -> TextOut:
        return TextOut(text=f"{self.a}{self.separator}{self.b}")


@node(
    "core.show",
    title="Show",
    category="Core/Output",
    version="1.0.0",
    maturity="STUDENT",
    output_node=True,
)
class Show(Node):
    """Record the incoming value as an output of the run."""

    value: Any = Input(description="Any value", socket="*")

    def run(self, ctx: RunContext) -> ShowOut:
        return ShowOut(value=self.value)
