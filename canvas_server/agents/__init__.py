"""Agents use the canvas (issue 21): the catalog's nodes and the run queue as governed tools.

A view over the same catalog, submission path and run queue as the HTTP API, never a second
job system: `toolbox` names the tools a principal may see, `calls` runs one (submit through
`server.run_submit`, wait on the event bus), `mcp_server` serves them over MCP (streamable HTTP
at `/mcp`, stdio through `auteur mcp`), `langchain_tools` wraps the same calls as LangChain tools.
"""
