"""Every notebook under notebooks/ runs to the end (they are jupytext percent scripts)."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))
DEV = ROOT.parent / "shared" / "evalsets" / "dev"


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(notebook):
    assert DEV.exists(), "the dev evaluation set must lie beside the repository (../shared)"
    proc = subprocess.run([sys.executable, str(notebook)], cwd=notebook.parent, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "planted defects found" in proc.stdout
