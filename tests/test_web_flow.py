"""The reviewer's flow through the handlers (no server): validation messages beside the controls instead of
errors, one toast titled in Chinese for what is refused, next/previous in the queue's order, the next record
after a decision, and the batch decision (each record decided and audited on its own)."""
from types import SimpleNamespace

import gradio as gr
import pytest

from app.store import AccessDenied, Store
from app.web.auth import Users
from app.web.handlers import HEADER, MESSAGE, RECORD_OUTPUTS, SUMMARY, Handlers, guarded
from app.web.service import Service
from webapp import small_contract, write_users


def request(user: str, session: str = "s1"):
    return SimpleNamespace(username=user, session_hash=session)


@pytest.fixture
def h(tmp_path):
    store = Store.open(tmp_path / "s.sqlite")
    store.import_round("2025", small_contract(), [("t.xlsx", "1" * 64)], "test")
    yield Handlers(Service(store, Users(write_users(tmp_path / "users.json")), tmp_path))
    store.close()


def unchanged(value) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "update" and len(value) == 1


def queue(h, user="prov", **filters):
    args = {"city": "", "severity": "", "code": "", "direction": "", "status": "", "search": "",
            "duplicates_only": False, "sort": "severity"} | filters
    return h.queue("2025", *args.values(), request(user))


# -- errors that help ------------------------------------------------------------------------------------------
def test_returning_without_a_note_is_a_message_beside_the_form_not_an_error(h):
    out = h.decide("2025", "fs-1", "退回修改", "   ", 0, [], request("prov"))
    assert len(out) == RECORD_OUTPUTS
    assert "写明原因" in out[MESSAGE] and "notice err" in out[MESSAGE] and out[MESSAGE].count("写明原因") == 1
    assert all(unchanged(v) for i, v in enumerate(out) if i != MESSAGE)  # what the reviewer chose and typed stays
    assert h.service.store.decisions(h.service.viewer("prov"), "2025") == {}
    out = h.decide("2025", "fs-1", None, "", 0, [], request("prov"))
    assert "请选择审核结论" in out[MESSAGE]
    out = h.open_record("2025", " ", [], request("prov"))
    assert "请先在审核队列中选择一条记录" in out[HEADER]
    assert "请先选择轮次" in h.export_excel("", request("prov"))[1]


def test_a_bad_filter_value_is_answered_in_chinese_beside_the_filters(h):
    out = queue(h, sort="bogus")
    assert len(out) == 5 and "排序“bogus”不是可选值" in out[SUMMARY] and "按严重程度" in out[SUMMARY]
    assert unchanged(out[0])
    assert "审核状态“done”" in queue(h, status="done")[SUMMARY]


def test_guarded_raises_one_gradio_error_titled_in_chinese():
    own = gr.Error("请选择文件。")

    @guarded
    def raises_own():
        raise own

    with pytest.raises(gr.Error) as exc:
        raises_own()
    assert exc.value is own and exc.value.title == "无法完成" and exc.value.message == "请选择文件。"

    @guarded
    def refused():
        raise AccessDenied("无权查看其他地市的记录")

    with pytest.raises(gr.Error) as exc:
        refused()
    assert exc.value.title == "拒绝访问" and exc.value.message == "无权操作：无权查看其他地市的记录"

    @guarded
    def bad():
        raise ValueError("未知审核状态")

    with pytest.raises(gr.Error) as exc:
        bad()
    assert exc.value.title == "无法完成" and exc.value.message == "未知审核状态"  # no repr quotes


# -- next / previous, next after a decision --------------------------------------------------------------------
def test_previous_and_next_follow_the_queue_order(h):
    order = queue(h, sort="company")[3]
    assert sorted(order) == ["fs-1", "fs-2", "st-1"]
    out = h.step(1, "2025", order[0], order, [], request("prov"))
    assert out[-1] == order[1] and f"第2/{len(order)}条" in out[MESSAGE]
    out = h.step(-1, "2025", order[1], order, [], request("prov"))
    assert out[-1] == order[0]
    out = h.step(1, "2025", order[-1], order, [], request("prov"))
    assert unchanged(out[-1]) and "已是当前队列的最后一条" in out[MESSAGE]
    out = h.step(-1, "2025", order[0], order, [], request("prov"))
    assert "第一条" in out[MESSAGE]
    out = h.step(1, "2025", "", order, [], request("prov"))  # nothing open yet: the first
    assert out[-1] == order[0]


def test_the_next_record_opens_after_a_decision_and_only_after_one(h):
    order = queue(h, sort="company")[3]
    first, second = order[0], order[1]
    # a validation message: nothing saved, nothing opened
    h.decide("2025", first, "退回修改", "", 0, [], request("prov"))
    assert all(unchanged(v) for v in h.after_decision("2025", order, True, [], request("prov")))
    out = h.decide("2025", first, "通过", "", 0, [], request("prov"))
    assert "已保存：通过" in out[MESSAGE]
    out = h.after_decision("2025", order, True, [], request("prov"))
    assert out[-1] == second and "已保存：通过" in out[MESSAGE] and "已打开下一条" in out[MESSAGE]
    assert second in out[0]  # the header shows the next record
    # only once, only for the session that decided, and not when the reviewer unticks it
    assert all(unchanged(v) for v in h.after_decision("2025", order, True, [], request("prov")))
    h.decide("2025", second, "待定", "", 0, [], request("prov", "s2"))
    assert all(unchanged(v) for v in h.after_decision("2025", order, True, [], request("prov", "s1")))
    assert all(unchanged(v) for v in h.after_decision("2025", order, False, [], request("prov", "s2")))
    # the last record of the queue: it says so and stays
    h.decide("2025", order[-1], "通过", "", 0, [], request("prov"))
    out = h.after_decision("2025", order, True, [], request("prov"))
    assert unchanged(out[-1]) and "已是当前队列的最后一条" in out[MESSAGE]


# -- batch -----------------------------------------------------------------------------------------------------
def test_batch_decision_stores_and_audits_each_record(h):
    store, prov = h.service.store, h.service.viewer("prov")
    h.decide("2025", "fs-1", "待定", "", 0, [], request("prov2"))  # fs-1 already has version 1
    assert "写明原因" in h.decide_batch("2025", ["fs-1", "fs-2"], "退回修改", " ", request("prov"))
    assert "请先在“批量审核”中选择记录" in h.decide_batch("2025", [], "通过", "", request("prov"))
    before = len(store.audit_log())
    msg = h.decide_batch("2025", ["fs-1", "fs-2", "fs-1"], "退回修改", "请补充改造前后对比数据", request("prov"))
    assert "已保存2条：退回修改" in msg
    decisions = store.decisions(prov, "2025")
    assert (decisions["fs-1"].version, decisions["fs-2"].version) == (2, 1)
    assert {d.note for d in decisions.values()} == {"请补充改造前后对比数据"}
    log = store.audit_log()[: len(store.audit_log()) - before]
    assert sorted(e.record_id for e in log if e.action == "decide") == ["fs-1", "fs-2"]
    assert all(e.actor == "prov" for e in log)
    # a city reviewer's batch: its own records saved, another city's refused by the store, named in the message
    msg = h.decide_batch("2025", ["fs-2", "st-1"], "通过", "", request("fs"))
    assert "已保存1条：通过" in msg and "1条无法保存：st-1（无权查看其他地市的记录）" in msg
    assert "st-1" not in store.decisions(prov, "2025")
    # the queue offers its rows for the batch, labelled in Chinese
    choices = queue(h)[4]["choices"]
    assert {v for _, v in choices} == {"fs-1", "fs-2", "st-1"} and all(" · " in label for label, _ in choices)
