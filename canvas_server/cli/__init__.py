"""The `auteur` command line."""
