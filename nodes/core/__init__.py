"""The core pack: constants, arithmetic, text and the `core.show` output node."""

from .values import Add, Boolean, Float, Integer, JoinText, Show, Text

NODES = [Text, Integer, Float, Boolean, Add, JoinText, Show]

__all__ = ["NODES", "Add", "Boolean", "Float", "Integer", "JoinText", "Show", "Text"]
