"""Graph formats (litegraph workflow, API prompt, template), conversion and validation."""

from .convert import Conversion, workflow_to_prompt
from .errors import GraphError, GraphFormatError, GraphValidationError, MaturityError, OverrideError
from .layout import prompt_to_workflow
from .load import (
    LoadedGraph,
    convert_graph,
    graph_to_workflow,
    load_graph,
    load_graph_file,
    sniff_kind,
)
from .params import apply_params, parse_assignments
from .prompt import ApiPrompt, PromptNode, as_link
from .template import Template, TemplateParameter, coerce_value
from .topology import CycleError, ancestors, topological_order
from .validate import validate_prompt
from .workflow import Workflow, WorkflowNode

__all__ = [
    "ApiPrompt",
    "Conversion",
    "CycleError",
    "GraphError",
    "GraphFormatError",
    "GraphValidationError",
    "LoadedGraph",
    "MaturityError",
    "OverrideError",
    "PromptNode",
    "Template",
    "TemplateParameter",
    "Workflow",
    "WorkflowNode",
    "ancestors",
    "apply_params",
    "as_link",
    "coerce_value",
    "convert_graph",
    "graph_to_workflow",
    "load_graph",
    "load_graph_file",
    "parse_assignments",
    "prompt_to_workflow",
    "sniff_kind",
    "topological_order",
    "validate_prompt",
    "workflow_to_prompt",
]
