# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Evaluation on the labelled development set
#
# A jupytext notebook (percent format: open it in Jupyter with jupytext, or run it as a script).
# `tests/test_notebooks.py` executes it, so it never rots. It writes the dev set as real files, runs the
# engine on them, prints the figures of `make eval`, and then looks at what each planted defect produced.

# %%
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] if "__file__" in globals() else Path.cwd().parent
sys.path.insert(0, str(ROOT))

from app.evaluate import (DEFAULT_SET, EVAL_ROUND, evaluate, labelled_projects, print_table,  # noqa: E402
                          write_set_as_files)
from nlp.pipeline import analyse  # noqa: E402

EVALSET = Path(os.environ.get("JIGAI_EVALSET", DEFAULT_SET))

# %% [markdown]
# ## The figures

# %%
figures = evaluate(EVALSET)
print_table(figures)
assert all(f.value is not None for f in figures)

# %% [markdown]
# ## Findings by code on the dev rows
# Which rule fired how often, and on which rows the planted form defects sit.

# %%
import tempfile  # noqa: E402

with tempfile.TemporaryDirectory() as tmp:
    where, docs = write_set_as_files(EVALSET, Path(tmp))
    analysis = analyse([tmp], EVAL_ROUND)
counts = Counter(f.code for f in analysis.all_findings())
for code, n in counts.most_common():
    print(f"{code:<28} {n}")

# %%
for record, source in labelled_projects(analysis, where):
    defects = source["gold"]["defects"]
    codes = [f.code for f in analysis.findings_of(record) if f.severity != "info"]
    if defects or codes:
        print(f"{source['id']}  defects={defects}  findings={codes}")
