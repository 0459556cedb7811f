"""glTF 2.0 models made by a real library (pygltflib) for the 3D-asset tests: a cube as a .glb,
and as a .gltf with its buffer embedded (or pointing somewhere it must not)."""

from __future__ import annotations

import struct

import pygltflib

# Eight corners, twelve triangles.
_CORNERS = [(x, y, z) for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)]
_FACES = [(0, 1, 3), (0, 3, 2), (4, 6, 7), (4, 7, 5), (0, 4, 5), (0, 5, 1),
          (2, 3, 7), (2, 7, 6), (0, 2, 6), (0, 6, 4), (1, 5, 7), (1, 7, 3)]


def cube(uri: str | None = None) -> pygltflib.GLTF2:
    points = b"".join(struct.pack("<3f", *corner) for corner in _CORNERS)
    indices = b"".join(struct.pack("<3H", *face) for face in _FACES)
    blob = indices + points
    model = pygltflib.GLTF2(
        scene=0, scenes=[pygltflib.Scene(nodes=[0])], nodes=[pygltflib.Node(mesh=0)],
        meshes=[pygltflib.Mesh(primitives=[pygltflib.Primitive(attributes=pygltflib.Attributes(POSITION=1), indices=0)])],
        accessors=[
            pygltflib.Accessor(bufferView=0, componentType=pygltflib.UNSIGNED_SHORT, count=len(_FACES) * 3,
                               type=pygltflib.SCALAR, max=[7], min=[0]),
            pygltflib.Accessor(bufferView=1, componentType=pygltflib.FLOAT, count=len(_CORNERS), type=pygltflib.VEC3,
                               max=[0.5, 0.5, 0.5], min=[-0.5, -0.5, -0.5]),
        ],
        bufferViews=[
            pygltflib.BufferView(buffer=0, byteOffset=0, byteLength=len(indices), target=pygltflib.ELEMENT_ARRAY_BUFFER),
            pygltflib.BufferView(buffer=0, byteOffset=len(indices), byteLength=len(points), target=pygltflib.ARRAY_BUFFER),
        ],
        buffers=[pygltflib.Buffer(byteLength=len(blob), uri=uri)],
    )
    if uri is None:
        model.set_binary_blob(blob)
    return model


def cube_glb() -> bytes:
    return b"".join(cube().save_to_bytes())


def cube_gltf(uri: str | None = None) -> bytes:
    """A .gltf: the buffer embedded as a data URI, or `uri` as given."""
    model = cube(uri)
    if uri is None:
        model.convert_buffers(pygltflib.BufferFormat.DATAURI)
    return model.gltf_to_json().encode()
