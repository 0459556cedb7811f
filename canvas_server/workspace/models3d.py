"""3D assets (glTF 2.0): what a `.glb` / `.gltf` upload must be to be taken, and its thumbnail.

A `.glb` is recognised by its header (magic `glTF`, version 2, the total length equal to the
file's size); a `.gltf` by its JSON (`asset.version` 2.x) whose buffers and images are embedded
(`data:` URIs) or files beside it — never a path that climbs out, an absolute path or a URL, which
a viewer would otherwise fetch. The thumbnail is drawn here, without a GPU: the meshes'
triangles (pygltflib reads them) flat-shaded from a three-quarter view, back to front.
"""

from __future__ import annotations

import json
import math
import struct
import uuid
from array import array
from pathlib import Path
from typing import Any

from nodes.sdk import AuteurError, atomic_publish

GLB_MIME, GLTF_MIME = "model/gltf-binary", "model/gltf+json"
MODEL_MIMES = {".glb": GLB_MIME, ".gltf": GLTF_MIME}
MAX_GLTF_JSON = 64 * 1024 * 1024  # a .gltf is parsed whole: embedded buffers count
MAX_TRIANGLES = 200_000  # drawn for the thumbnail; a bigger model is drawn in part
_COMPONENTS = {5121: "B", 5123: "H", 5125: "I", 5126: "f"}


class ModelInvalidError(AuteurError):
    code = "unsupported_media_type"


def sniff_model(path: Path) -> tuple[str, str] | None:
    """(mime, extension) of a glTF 2.0 file, or None when it is not one we take."""
    with path.open("rb") as handle:
        head = handle.read(12)
    if head[:4] == b"glTF":
        version, length = struct.unpack("<II", head[4:12])
        return (GLB_MIME, "glb") if version == 2 and length == path.stat().st_size else None
    if path.stat().st_size > MAX_GLTF_JSON or head.lstrip()[:1] != b"{":
        return None
    try:
        document = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(document, dict) or not str((document.get("asset") or {}).get("version", "")).startswith("2"):
        return None
    for item in [*document.get("buffers", []), *document.get("images", [])]:
        uri = item.get("uri") if isinstance(item, dict) else None
        if isinstance(uri, str) and not _safe_uri(uri):
            raise ModelInvalidError("a .gltf may name only embedded data or files beside it",
                                    details={"uri": uri[:200]})
    return GLTF_MIME, "gltf"


def _safe_uri(uri: str) -> bool:
    if uri.startswith("data:"):
        return True
    return bool(uri) and ":" not in uri and "/" not in uri and "\\" not in uri and not uri.startswith(".")


def _triangles(path: Path) -> list[tuple[tuple[float, float, float], ...]]:
    """Every triangle of every mesh (positions in the mesh's own space), up to MAX_TRIANGLES."""
    import pygltflib

    model = pygltflib.GLTF2().load(str(path))
    blobs: dict[int, bytes] = {}

    def accessor(index: int) -> list[Any]:
        info = model.accessors[index]
        view = model.bufferViews[info.bufferView or 0]
        if view.buffer not in blobs:
            buffer = model.buffers[view.buffer]
            blobs[view.buffer] = (model.binary_blob() if buffer.uri is None
                                  else model.get_data_from_buffer_uri(buffer.uri)) or b""
        code = _COMPONENTS[info.componentType]
        width = {"SCALAR": 1, "VEC3": 3}[info.type]
        size = array(code).itemsize * width
        stride = view.byteStride or size
        start = (view.byteOffset or 0) + (info.byteOffset or 0)
        data = blobs[view.buffer]
        values: list[Any] = []
        for item in range(info.count):
            values.append(array(code, data[start + item * stride:start + item * stride + size]).tolist())
        return values

    found: list[tuple[tuple[float, float, float], ...]] = []
    for mesh in model.meshes:
        for primitive in mesh.primitives:
            if primitive.mode not in (None, 4) or primitive.attributes.POSITION is None:
                continue
            points = [tuple(p) for p in accessor(primitive.attributes.POSITION)]
            order = ([i[0] for i in accessor(primitive.indices)] if primitive.indices is not None
                     else list(range(len(points))))
            for corner in range(0, len(order) - 2, 3):
                found.append((points[order[corner]], points[order[corner + 1]], points[order[corner + 2]]))
                if len(found) >= MAX_TRIANGLES:
                    return found
    return found


def _view(point: tuple[float, float, float]) -> tuple[float, float, float]:
    """A three-quarter view: turned 35° about the vertical axis, tilted 25° towards the viewer."""
    x, y, z = point
    yaw, pitch = math.radians(35), math.radians(25)
    x, z = x * math.cos(yaw) + z * math.sin(yaw), -x * math.sin(yaw) + z * math.cos(yaw)
    y, z = y * math.cos(pitch) - z * math.sin(pitch), y * math.sin(pitch) + z * math.cos(pitch)
    return x, y, z


def make_model_thumbnail(source: Path, target: Path, width: int = 320, height: int = 240) -> Path:
    """A JPEG of the model's triangles, flat-shaded against a dark stage."""
    from PIL import Image, ImageDraw

    try:
        triangles = [tuple(_view(point) for point in triangle) for triangle in _triangles(source)]
    except Exception as exc:  # pygltflib raises many kinds on a damaged file: all mean no picture
        raise AuteurError(f"no thumbnail for {source.name}: its meshes cannot be read ({type(exc).__name__})",
                          code="thumbnail_failed") from exc
    image = Image.new("RGB", (width, height), (24, 26, 31))
    if triangles:
        xs = [p[0] for t in triangles for p in t]
        ys = [p[1] for t in triangles for p in t]
        scale = 0.8 * min(width / ((max(xs) - min(xs)) or 1), height / ((max(ys) - min(ys)) or 1))
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        draw = ImageDraw.Draw(image)
        for a, b, c in sorted(triangles, key=lambda t: sum(p[2] for p in t)):  # far first
            nx, ny, nz = _normal(a, b, c)
            light = 0.35 + 0.65 * abs(nx * 0.3 + ny * 0.6 + nz * 0.74)
            colour = (int(224 * light), int(165 * light), int(38 * light))
            draw.polygon([(width / 2 + (p[0] - cx) * scale, height / 2 - (p[1] - cy) * scale) for p in (a, b, c)],
                         fill=colour)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".thumb-{uuid.uuid4().hex}.jpg")
    try:
        image.save(temp, "JPEG", quality=85)
        atomic_publish(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target


def _normal(a: tuple[float, ...], b: tuple[float, ...], c: tuple[float, ...]) -> tuple[float, float, float]:
    u = (b[0] - a[0], b[1] - a[1], b[2] - a[2])
    v = (c[0] - a[0], c[1] - a[1], c[2] - a[2])
    n = (u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0])
    length = math.sqrt(sum(value * value for value in n)) or 1.0
    return n[0] / length, n[1] / length, n[2] / length
