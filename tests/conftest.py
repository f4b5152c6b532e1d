import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def _session_dir(variable: str, prefix: str) -> None:
    """A temporary folder for ``variable`` unless the caller set one; removed when the session ends (the
    e5-torch model converted into the cache is 470 MB)."""
    if os.environ.get(variable):
        return
    path = tempfile.mkdtemp(prefix=prefix)
    os.environ[variable] = path
    atexit.register(shutil.rmtree, path, True)


# every test session starts with its own empty embedding cache (never the user's ~/.cache)
_session_dir("JIGAI_CACHE_DIR", "jigai-test-cache-")
# and never reads or writes the user's archive of earlier rounds
_session_dir("JIGAI_DATA_DIR", "jigai-test-data-")
