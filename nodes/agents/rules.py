"""The world's rules checked without a model: things a technology level or a magic system rules
out, found in the text with the sentence that holds them. A small model misses a laser pistol in
a medieval world; a word list does not, and the two together make the consistency evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .context import WorldFacts

_MODERN = ("laser", "pistol", "gun", "rifle", "revolver", "phone", "smartphone", "computer", "car", "truck",
           "engine", "electric", "electricity", "radio", "television", "plastic", "robot", "drone", "satellite",
           "internet", "rocket", "spaceship", "helicopter", "airplane", "train", "camera", "neon", "bullet",
           "grenade", "blaster")
_INDUSTRIAL = ("laser", "phone", "smartphone", "computer", "television", "plastic", "robot", "drone", "satellite",
               "internet", "rocket", "spaceship", "helicopter", "airplane", "neon", "blaster")
# tech level words → what such a world does not have
_ERAS: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("stone age", "prehistoric", "bronze age", "iron age", "ancient", "medieval", "middle ages", "feudal",
      "dark ages", "renaissance", "pre-industrial", "preindustrial"), _MODERN),
    (("victorian", "steampunk", "industrial", "19th century", "wild west"), _INDUSTRIAL),
]
_MAGIC_WORDS = ("spell", "magic", "wizard", "witch", "sorcery", "sorcerer", "enchanted", "enchantment", "curse")
_NO_MAGIC = re.compile(r"^\s*(none|no magic|no|nothing|there is no magic)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


@dataclass(frozen=True)
class RuleViolation:
    rule: str
    quote: str
    reason: str


def forbidden_terms(world: WorldFacts | None) -> dict[str, tuple[str, ...]]:
    """The rule → the words it forbids, for this world."""
    rules: dict[str, tuple[str, ...]] = {}
    tech = str((world or {}).get("tech_level", "")).lower()
    for names, words in _ERAS:
        if any(name in tech for name in names):
            rules[f"technology level: {tech}"] = words
            break
    magic = str((world or {}).get("magic_system", ""))
    if magic and _NO_MAGIC.match(magic):
        rules["magic system: none"] = _MAGIC_WORDS
    return rules


def sentences(text: str) -> list[str]:
    """The text's sentences, each the quote a violation shows."""
    return [sentence.strip() for sentence in _SENTENCE.findall(text) if sentence.strip()]


def check_rules(text: str, world: WorldFacts | None) -> list[RuleViolation]:
    """Each sentence that names something the world's rules forbid, once per rule and sentence."""
    found: list[RuleViolation] = []
    for rule, words in forbidden_terms(world).items():
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")s?\b", re.IGNORECASE)
        for sentence in sentences(text):
            hits = sorted({match.group(1).lower() for match in pattern.finditer(sentence)})
            if hits:
                found.append(RuleViolation(rule, sentence,
                                           f"{', '.join(hits)} cannot exist under the world's {rule}"))
    return found
