"""The HTTP guard's rules without a server: what is a foreign origin, who may fetch an export file."""
import pytest

from app.web.guard import EXPORT_NAME, ExportOwners, is_foreign


def scope(method="POST", host="127.0.0.1:7860", scheme="http", **headers):
    raw = [(b"host", host.encode())] + [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return {"type": "http", "method": method, "scheme": scheme, "headers": raw}


@pytest.mark.parametrize("headers, foreign", [
    ({}, False),
    ({"Origin": "http://127.0.0.1:7860"}, False),
    ({"Origin": "https://127.0.0.1:7860"}, False),  # TLS ended by a proxy that keeps Host: same host and port
    ({"Origin": "http://127.0.0.1:9999"}, True),
    ({"Origin": "http://localhost:7860"}, True),
    ({"Origin": "null"}, True),
    ({"Origin": "http://evil.example"}, True),
    ({"Referer": "http://127.0.0.1:7860/?x=1"}, False),
    ({"Referer": "http://127.0.0.1:9999/attack.html"}, True),
])
def test_foreign_origins(headers, foreign):
    assert is_foreign(scope(**headers)) is foreign


def test_default_ports_and_ipv6():
    assert not is_foreign(scope(host="review.example", Origin="http://review.example"))
    assert not is_foreign(scope(host="review.example", scheme="https", Origin="https://review.example"))
    assert not is_foreign(scope(host="[::1]:7860", Origin="http://[::1]:7860"))
    assert is_foreign(scope(host="[::1]:7860", Origin="http://[::1]:7861"))


def test_a_referer_counts_only_for_state_changing_methods():
    assert not is_foreign(scope(method="GET", Referer="http://127.0.0.1:9999/"))
    assert is_foreign(scope(method="GET", Origin="http://127.0.0.1:9999"))  # a cross-origin fetch() read


def test_export_names():
    assert EXPORT_NAME.match("2025年-佛山市-审核结果-20250301-101500.xlsx")
    assert EXPORT_NAME.match("2025年-全省-宣传汇编-20250301-101500.docx")
    assert not EXPORT_NAME.match("佛山市-附件1-工业技术改造项目推荐表.xlsx")


def test_export_owners(tmp_path):
    owners = ExportOwners()
    made = tmp_path / "a" / "2025年-佛山市-审核结果-20250301-101500.xlsx"
    made.parent.mkdir()
    made.write_bytes(b"workbook of fs")
    owners.add(made, "fs")
    cached = tmp_path / "cache" / made.name  # Gradio's copy: same name, same bytes
    cached.parent.mkdir()
    cached.write_bytes(made.read_bytes())
    assert owners.may_fetch(cached, "fs", "city")
    assert not owners.may_fetch(cached, "fs2", "city")
    assert owners.may_fetch(cached, "prov", "province")
    other = tmp_path / "other" / made.name  # the same name with other bytes (another export that second)
    other.parent.mkdir()
    other.write_bytes(b"workbook of someone else")
    assert not owners.may_fetch(other, "fs", "city")
    earlier = tmp_path / "2024年-全省-审核结果-20240301-101500.xlsx"  # an earlier run's export, maker unknown
    earlier.write_bytes(b"old")
    assert not owners.may_fetch(earlier, "fs", "city") and owners.may_fetch(earlier, "prov", "province")
    upload = tmp_path / "佛山市-附件1.xlsx"  # not an export: the guard leaves it to Gradio
    upload.write_bytes(b"x")
    assert owners.may_fetch(upload, "fs", "city")
