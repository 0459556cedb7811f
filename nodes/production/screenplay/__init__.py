"""Screenplay breakdown: Fountain/.txt → scenes and shots, with durations and elements."""

from .breakdown import DURATION_RULE, break_down
from .parse import ParsedScene, ParsedScript, parse_screenplay

__all__ = ["DURATION_RULE", "ParsedScene", "ParsedScript", "break_down", "parse_screenplay"]
