"""The agents pack: writing agents on the SDK's language model (`nodes.sdk.llm`), each
returning a scored `AgentResult` that a Review node can hold for a person."""

from nodes.sdk import Pack
from nodes.sdk.llm import LLMSettings

from .consistency import ConsistencyCheck
from .location import LocationDesigner
from .narrative import Narrative
from .scribe import Scribe

NODES = [Narrative, LocationDesigner, ConsistencyCheck, Scribe]
PACK = Pack(settings=LLMSettings)

__all__ = ["NODES", "PACK", "ConsistencyCheck", "LocationDesigner", "Narrative", "Scribe"]
