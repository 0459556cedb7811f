"""The workspace and project layout: every folder and file name, in one place (docs/architecture.md §7).

    <workspace>/Projects/<name>/project.json
                               01_Assets/{Characters,Locations,Objects,Styles,Music}/
                               02_Source_Creative/{Treatments,Scripts,ShotLists,Canvas}/
                               03_Renders/Chapter_01/Scene_01/Shot_01/S01_S01_take01.mp4
                               04_Project_Files/  05_Cache/  06_Exports/
    <workspace>/Library/{Narrative_Templates,Pipeline_Templates,Stock_Media,AI_Models,Uploads}/
    <workspace>/.trash/

Paths are POSIX strings relative to the workspace or to the project folder. Nodes and the server
both name files through this module, so a folder is renamed in one place.
"""

from __future__ import annotations

from typing import Final

# The workspace
PROJECTS_DIR: Final = "Projects"
LIBRARY_DIR: Final = "Library"
NARRATIVE_TEMPLATES: Final = "Narrative_Templates"  # inside Library/
PIPELINE_TEMPLATES_DIR: Final = f"{LIBRARY_DIR}/Pipeline_Templates"
UPLOADS_DIR: Final = f"{LIBRARY_DIR}/Uploads"  # inside a principal's scratch folder
# A project-less run's folder, one per principal: `Scratch/<name>-<hash>/`.
SCRATCH_DIR: Final = "Scratch"
TRASH_DIR: Final = ".trash"

# A project
MANIFEST: Final = "project.json"
ASSETS_DIR: Final = "01_Assets"
ASSET_CATEGORIES: Final = ("Characters", "Locations", "Objects", "Styles", "Music", "3D")
SOURCE_DIR: Final = "02_Source_Creative"
SHOTLISTS_DIR: Final = f"{SOURCE_DIR}/ShotLists"
SCRIPTS_DIR: Final = f"{SOURCE_DIR}/Scripts"
SCRIPT_EXTENSIONS: Final = (".fountain", ".fdx", ".txt")
CANVAS_DIR: Final = f"{SOURCE_DIR}/Canvas"
RENDERS_DIR: Final = "03_Renders"
# What a new project's render folder of a planned shot holds until a take lands (Git keeps no
# empty folder); such a folder goes when its shot does (canvas_server/workspace/render_folders.py).
PLACEHOLDER_FILE: Final = ".gitkeep"
PROJECT_FILES_DIR: Final = "04_Project_Files"
CACHE_DIR: Final = "05_Cache"
EXPORTS_DIR: Final = "06_Exports"
EDITORIAL_EXPORTS_DIR: Final = f"{EXPORTS_DIR}/Editorial"  # timelines for editing applications
GIT_IGNORED_DIRS: Final = (CACHE_DIR, EXPORTS_DIR)

# Inside the cache (git-ignored, rebuilt on demand)
LOCK_FILE: Final = f"{CACHE_DIR}/.project.lock"
THUMBNAILS_DIR: Final = f"{CACHE_DIR}/thumbnails"
VEO_PENDING_DIR: Final = f"{CACHE_DIR}/veo"

# Files the production nodes write and the workspace mirrors into project.json
INGREDIENT_SUFFIX: Final = ".ingredient.json"
INGREDIENTS_GLOB: Final = f"{ASSETS_DIR}/**/*{INGREDIENT_SUFFIX}"
BREAKDOWN_SUFFIX: Final = ".breakdown.json"

# Takes: a shot's under 03_Renders/Chapter_NN/Scene_NN/Shot_NN/, a scene's own (its animatic)
# under 03_Renders/Chapter_NN/Scene_NN/Animatic/; provenance beside each take's media
SCENE_TAKES_DIR: Final = "Animatic"
PROVENANCE_SUFFIX: Final = ".provenance.json"
# The director's review of a take (status, notes at a timecode), beside its provenance
REVIEW_SUFFIX: Final = ".review.json"
# A run's human-review thread (every decision and note about its waiting nodes), one file per run.
REVIEW_THREADS_DIR: Final = f"{PROJECT_FILES_DIR}/Reviews"
REVIEW_THREAD_SUFFIX: Final = ".thread.json"
# Which camera variations a person approved, per project (production.video_strategy ranks by it).
STRATEGY_APPROVALS: Final = f"{PROJECT_FILES_DIR}/strategy_approvals.json"

# Per-principal files of ComfyUI's frontend (settings, saved workflows), inside the state dir.
COMFY_USERS_DIR: Final = "users"
COMFY_SETTINGS_FILE: Final = "comfy.settings.json"
