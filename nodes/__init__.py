"""Auteur Canvas node packages: the plugin SDK (`nodes.sdk`) and the built-in packs."""
