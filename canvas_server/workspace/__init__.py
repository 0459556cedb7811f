"""The workspace: file-based projects with Git + LFS, takes, assets and creative documents."""
