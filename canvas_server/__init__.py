"""Auteur Canvas server: graphs, execution, runs, workspace, governance, CLI."""
