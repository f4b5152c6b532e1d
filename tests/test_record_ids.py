"""Record ids: made from the file, not from the order files are read in or where the round folder keeps them."""
from __future__ import annotations

import shutil

from builders import project_row, write_template_xlsx
from nlp.ingest import id_stem, ingest


def test_the_id_stem_names_the_folder_city_when_the_file_name_names_none():
    assert id_stem("佛山市/附件1.xlsx") == "佛山市-附件1"
    assert id_stem("uploads/2025/汕头市/附件3/典型做法.docx") == "汕头市-典型做法"
    assert id_stem("2025/佛山市/汕头市-附件1.xlsx") == "汕头市-附件1"  # the file's own city comes first
    assert id_stem("附件1.xlsx") == "附件1"
    assert id_stem("韶关市\\附件2.xls") == "韶关市-附件2"


def test_two_cities_files_of_one_name_keep_their_ids_whichever_is_read_or_removed(tmp_path):
    for city in ("佛山市", "汕头市"):
        (tmp_path / city).mkdir()
        write_template_xlsx(tmp_path / city / "附件1.xlsx", [project_row(1), project_row(2)])
    both = {r.id for r in ingest([tmp_path / "佛山市", tmp_path / "汕头市"]).records}
    reversed_order = {r.id for r in ingest([tmp_path / "汕头市", tmp_path / "佛山市"]).records}
    assert both == reversed_order and len(both) == 4
    assert not any("#" in rid for rid in both)
    shutil.rmtree(tmp_path / "佛山市")
    alone = {r.id for r in ingest([tmp_path / "汕头市"]).records}
    assert alone < both and all(rid.startswith("汕头市-附件1:") for rid in alone)
