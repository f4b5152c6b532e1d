"""The store's files are private: review.sqlite (and its -wal/-shm) 0600, a folder the store creates 0700."""
import os
import stat

import pytest

from app.store import Store
from webapp import small_contract


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask():
    old = os.umask(0o022)  # the usual umask, which gave 0644 before
    yield
    os.umask(old)


def test_a_new_store_and_its_folder_are_private(tmp_path):
    db = tmp_path / "new-folder" / "review.sqlite"
    store = Store.open(db)
    try:
        store.import_round("2025", small_contract(), [("t.xlsx", "1" * 64)], "test")  # writes: -wal and -shm
        files = [db, db.with_name("review.sqlite-wal"), db.with_name("review.sqlite-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert mode(db.parent) == 0o700
    finally:
        store.close()


def test_an_existing_store_loses_group_and_other_permissions(tmp_path):
    os.chmod(tmp_path, 0o755)
    db = tmp_path / "review.sqlite"
    Store.open(db).close()
    os.chmod(db, 0o644)
    store = Store.open(db)
    try:
        assert mode(db) == 0o600
        assert mode(tmp_path) == 0o755  # a folder the store did not create is left as it is
    finally:
        store.close()


def test_the_default_data_dir_is_created_private(tmp_path, monkeypatch):
    from app.store import data_dir

    monkeypatch.setenv("JIGAI_DATA_DIR", str(tmp_path / "jigai-data"))
    assert mode(data_dir()) == 0o700
