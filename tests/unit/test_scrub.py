"""The one scrubber of errors that leave the server: workspace paths become relative, other
absolute paths keep their file name, URLs and relative paths are left as they are."""

from __future__ import annotations

from pathlib import Path

from canvas_server.scrub import scrub, scrub_text


def test_a_workspace_path_becomes_workspace_relative(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    text = f"cannot open {workspace}/Projects/Film/01_Assets/a.png (in {workspace})"
    assert scrub_text(text, workspace) == "cannot open Projects/Film/01_Assets/a.png (in .)"


def test_other_absolute_paths_keep_only_their_file_name() -> None:
    text = "ffmpeg: /var/tmp/auteur-1234/frame_0001.png: No such file or directory"
    assert scrub_text(text, None) == "ffmpeg: frame_0001.png: No such file or directory"
    frame = 'File "/usr/lib/python3.11/site-packages/av/container.py", line 12, in open'
    assert scrub_text(frame, None) == 'File "container.py", line 12, in open'


def test_urls_and_relative_paths_are_left_alone() -> None:
    text = "POST https://us-central1-aiplatform.googleapis.com/v1/projects/p/models/veo:predict 429; see 01_Assets/x.png"
    assert scrub_text(text, None) == text


def test_details_are_scrubbed_at_any_depth(tmp_path: Path) -> None:
    details = {"path": str(tmp_path / "ws" / "a.mov"), "stderr_tail": ["/opt/ffmpeg/lib/x.so missing"],
               "returncode": 1, "nested": {"file": "/home/ada/secret.txt"}}
    assert scrub(details, tmp_path / "ws") == {"path": "a.mov", "stderr_tail": ["x.so missing"], "returncode": 1,
                                               "nested": {"file": "secret.txt"}}
