"""Graph formats (litegraph workflow, API prompt, template), conversion and validation."""
