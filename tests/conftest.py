import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

# every test session starts with its own empty embedding cache (never the user's ~/.cache)
os.environ.setdefault("JIGAI_CACHE_DIR", tempfile.mkdtemp(prefix="jigai-test-cache-"))
# and never reads or writes the user's archive of earlier rounds
os.environ.setdefault("JIGAI_DATA_DIR", tempfile.mkdtemp(prefix="jigai-test-data-"))
