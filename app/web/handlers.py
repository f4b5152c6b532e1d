"""What the UI's events call: username from gr.Request → Service → rendered outputs.

Each handler returns plain values or gr.update(...) in the order of its outputs (see ui.py). Errors from
the store (AccessDenied, NotFound, ValueError) become a gr.Error the reviewer reads, with any dynamic text
escaped (Gradio shows toast messages as HTML).
"""
from __future__ import annotations

import functools
from datetime import datetime

import gradio as gr

from app.store import STATUSES, AccessDenied, DecisionConflict, NotFound
from app.store.views import RETURNED
from nlp.constants import SEVERITIES, SEVERITY_ZH

from .panels import (render_directions, render_duplicates, render_excerpts, render_fields, render_findings,
                     render_header, render_history)
from .render import LAYERS, esc, render_narratives
from .service import Service
from .tables import ID_COLUMN, KIND_SHORT, dashboard_frames, queue_frame

ALL = ""
SEVERITY_CHOICES = [("全部", ALL), *((SEVERITY_ZH[s], s) for s in SEVERITIES), ("无问题", "none")]
SORT_CHOICES = [("按严重程度", "severity"), ("按地市", "city"), ("按企业", "company"), ("按问题数", "findings"),
                ("按审核状态", "status")]
VERDICTS = {"accept": "确认识别结果", "reject": "更正：否定该方向", "add": "更正：补充该方向"}


def notice(text: str, kind: str = "") -> str:
    """A message box; ``text`` is escaped."""
    return f'<div class="jg"><div class="notice {kind}">{esc(text)}</div></div>'


def guarded(fn):
    """Turn the store's refusals into a message for the reviewer (gr.Error, titled in Chinese), never a
    traceback. A gr.Error raised by the handler passes through as it is (it is a ValueError: caught again it would
    show twice, its message in repr quotes), only Gradio's English default title replaced. Validation of what the
    reviewer typed or chose never raises: the handlers return it into the HTML beside the control."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except gr.Error as exc:
            if exc.title == "Error":
                exc.title = "无法完成"
            raise
        except AccessDenied as exc:
            raise gr.Error(esc(f"无权操作：{exc}"), title="拒绝访问", print_exception=False) from None
        except NotFound as exc:
            raise gr.Error(esc(str(exc)), title="未找到", print_exception=False) from None
        except ValueError as exc:
            raise gr.Error(esc(str(exc)), title="无法完成", print_exception=False) from None
    return wrapper


def inline(count: int, index: int, text: str, kind: str = "err") -> tuple:
    """The outputs of a handler that only shows ``text`` in its message box (output ``index`` of ``count``) and
    leaves every other output, the reviewer's input included, as it is."""
    out = [gr.update()] * count
    out[index] = notice(text, kind)
    return tuple(out)


#: the record view's outputs (see :meth:`Handlers._record_outputs`): where its messages go
RECORD_OUTPUTS, HEADER, MESSAGE = 12, 0, 11
#: the queue's outputs: table, summary, city choices, the ids in queue order (gr.State), batch choices
QUEUE_OUTPUTS, SUMMARY = 5, 1


def bad_filter(severity, code, direction, status, sort) -> str | None:
    """A Chinese message naming the first queue filter whose value is not one of its choices (API callers,
    typed values), else None."""
    from nlp.constants import CODES

    from app.store import DIRECTIONS, UNREVIEWED

    checks = (("最严重问题", severity, SEVERITY_CHOICES), ("问题类型", code, [(c, c) for c in CODES]),
              ("改造方向", direction, [(d, d) for d in DIRECTIONS]),
              ("审核状态", status, [(s, s) for s in (UNREVIEWED, *STATUSES)]), ("排序", sort, SORT_CHOICES))
    for label, value, choices in checks:
        if value and value not in {v for _, v in choices}:
            shown = "、".join(zh for zh, v in choices if v)
            return f"{label}“{value}”不是可选值" + (f"，可选：{shown}" if len(choices) <= 10 else "") + "。"
    return None


def _user(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) if request is not None else None


def _when(at) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if isinstance(at, datetime) else str(at or "")


class Handlers:
    """The UI's event functions, bound to one Service."""

    def __init__(self, service: Service, default_round: str | None = None):
        self.service = service
        self.default_round = default_round
        self._saved: dict[tuple, tuple] = {}  # (user, session) → (round, record id, message) of the last decision

    # -- page load ------------------------------------------------------------------------------------
    def on_load(self, request: gr.Request):
        """Who is logged in, and the rounds they may open."""
        user = _user(request)
        try:
            viewer = self.service.viewer(user)
        except AccessDenied:
            return notice("未登录。", "err"), gr.update(choices=[], value=None)
        rounds = self.service.rounds(user)
        value = self.default_round if self.default_round in rounds else (rounds[0] if rounds else None)
        scope = "省级（全部地市）" if viewer.role == "province" else viewer.city
        who = (f'<div class="jg">当前用户：{esc(viewer.username)}（{esc(scope)}） · '
               '<form method="post" action="/logout" class="jg-logout" style="display:inline">'
               '<button type="submit" style="background:none;border:0;padding:0;font:inherit;color:inherit;'
               'text-decoration:underline;cursor:pointer">退出登录</button></form></div>')
        return who, gr.update(choices=rounds, value=value)

    @guarded
    def refresh_rounds(self, round_label, request: gr.Request):
        """The rounds list again (another reviewer may have imported one); the current round kept."""
        rounds = self.service.rounds(_user(request))
        keep = round_label if round_label in rounds else (rounds[0] if rounds else None)
        return gr.update(choices=rounds, value=keep)

    # -- queue ----------------------------------------------------------------------------------------
    @guarded
    def queue(self, round_label, city, severity, code, direction, status, search, duplicates_only, sort,
              request: gr.Request):
        if not round_label:
            return queue_frame([]), notice("尚无轮次：请先在“上传”页导入材料。"), gr.update(), [], gr.update(choices=[])
        problem = bad_filter(severity, code, direction, status, sort)
        if problem:
            return inline(QUEUE_OUTPUTS, SUMMARY, problem)
        user = _user(request)
        sev = None if not severity else ("" if severity == "none" else severity)
        rows = self.service.queue(user, round_label, city=city or None, severity=sev,
                                  code=code or None, direction=direction or None, status=status or None,
                                  search=(search or "").strip() or None, duplicates_only=bool(duplicates_only),
                                  sort=sort or "severity")
        cities = sorted({r.city for r in self.service.queue(user, round_label) if r.city})
        summary = notice(f"共{len(rows)}条记录" + ("（已筛选）" if any((city, severity, code, direction, status,
                                                                    search, duplicates_only)) else ""))
        order = [r.record_id for r in rows]
        batch = [(f"{r.city or '未识别地市'} · {r.company or ''} · {r.project or KIND_SHORT.get(r.kind, '')}（{r.status}）",
                  r.record_id) for r in rows]
        return (queue_frame(rows), summary, gr.update(choices=[("全部地市", ALL)] + [(c, c) for c in cities]), order,
                gr.update(choices=batch, value=[]))

    @staticmethod
    def select_all(order):
        """The batch selection: every record of the current queue, in its order."""
        return gr.update(value=list(order or []))

    @guarded
    def decide_batch(self, round_label, record_ids, status, note, request: gr.Request):
        """One decision and note for every selected queue row, each stored (and audited) on its own."""
        ids = [str(i) for i in record_ids or [] if str(i).strip()]
        if not round_label:
            return notice("请先选择轮次。", "err")
        if not ids:
            return notice("请先在“批量审核”中选择记录（或点击“选中当前队列全部记录”）。", "err")
        if status not in STATUSES:
            return notice(f"请选择批量审核结论：{'、'.join(STATUSES)}。", "err")
        if status == RETURNED and not (note or "").strip():
            return notice("批量退回修改时请在“批量审核意见”中写明原因。", "err")
        made, conflicts, refused = self.service.decide_many(_user(request), round_label, ids, status, note or "")
        parts = [f"已保存{len(made)}条：{status}" + (f"（意见：{note.strip()}）" if (note or "").strip() else "") + "。"]
        if conflicts:
            parts.append(f"{len(conflicts)}条在此期间已被他人更新，未保存，请逐条打开核对："
                         + "、".join(rid for rid, _ in conflicts[:10]) + ("等" if len(conflicts) > 10 else "") + "。")
        if refused:
            parts.append(f"{len(refused)}条无法保存：" + "；".join(f"{rid}（{why}）" for rid, why in refused[:10]) + "。")
        return notice("".join(parts), "warn" if conflicts or refused else "")

    def pick_row(self, evt: gr.SelectData):
        """The record id of the clicked queue row, and switch to the record tab."""
        row = evt.row_value or []
        record_id = str(row[ID_COLUMN]) if len(row) > ID_COLUMN else ""
        return record_id, gr.Tabs(selected="record")

    # -- record ---------------------------------------------------------------------------------------
    def _record_outputs(self, view, layers, message: str = "", keep_inputs: bool = False):
        data = view.data
        status = view.decision.status if view.decision else None
        highlights = data.get("highlights") or []
        choices = [(f"摘录{i + 1}", i) for i in range(len(highlights))]
        return (
            render_header(data, view.row.status, view.decision) + render_fields(data),
            render_narratives(data, layers or []),
            render_findings(data.get("findings") or []),
            render_directions(data, view.direction_reviews),
            render_duplicates(data, view.duplicates),
            render_excerpts(highlights, view.publicity),
            gr.update(choices=choices, value=list(view.publicity)),
            gr.update() if keep_inputs else gr.update(value=status),
            gr.update() if keep_inputs else gr.update(value=view.decision.note if view.decision else ""),
            view.decision.version if view.decision else 0,
            render_history(view.history),
            message,
        )

    @guarded
    def open_record(self, round_label, record_id, layers, request: gr.Request):
        """Load one record (the store refuses another city's record to a city reviewer)."""
        record_id = (record_id or "").strip()
        if not round_label or not record_id:
            return inline(RECORD_OUTPUTS, HEADER, "请先在审核队列中选择一条记录，或输入记录编号。")
        view = self.service.record(_user(request), round_label, record_id)
        return self._record_outputs(view, layers)

    def _session(self, request: gr.Request | None) -> tuple:
        return _user(request), getattr(request, "session_hash", None)

    @guarded
    def step(self, offset: int, round_label, record_id, order, layers, request: gr.Request):
        """上一条 (offset -1) / 下一条 (+1) in the current queue order: outputs the record's and its id."""
        order = list(order or [])
        here = (record_id or "").strip()
        if not round_label or not order:
            return inline(RECORD_OUTPUTS, MESSAGE, "当前队列为空：请先在“审核队列”中查询。", "warn") + (gr.update(),)
        i = order.index(here) + offset if here in order else (0 if offset > 0 else len(order) - 1)
        if not 0 <= i < len(order):
            edge = "最后一条" if offset > 0 else "第一条"
            return inline(RECORD_OUTPUTS, MESSAGE, f"已是当前队列的{edge}（共{len(order)}条）。", "warn") + (gr.update(),)
        view = self.service.record(_user(request), round_label, order[i])
        return self._record_outputs(view, layers, notice(f"当前队列第{i + 1}/{len(order)}条")) + (order[i],)

    @guarded
    def after_decision(self, round_label, order, auto_next, layers, request: gr.Request):
        """Once a decision is saved (not after a validation message or a conflict), open the next record in the
        current queue order when 提交后打开下一条 is ticked; the saved message stays."""
        saved = self._saved.pop(self._session(request), None)
        unchanged = (gr.update(),) * (RECORD_OUTPUTS + 1)
        if saved is None or not auto_next or saved[0] != round_label:
            return unchanged
        _, record_id, text = saved
        order = list(order or [])
        if record_id not in order:
            return unchanged
        i = order.index(record_id) + 1
        if i >= len(order):
            return inline(RECORD_OUTPUTS, MESSAGE, f"{text}已是当前队列的最后一条。", "") + (gr.update(),)
        view = self.service.record(_user(request), round_label, order[i])
        msg = notice(f"{text}已打开下一条（当前队列第{i + 1}/{len(order)}条）。")
        return self._record_outputs(view, layers, msg) + (order[i],)

    @guarded
    def relayer(self, round_label, record_id, layers, request: gr.Request):
        """Re-render the narratives with the chosen layers."""
        if not round_label or not (record_id or "").strip():
            return ""
        view = self.service.record(_user(request), round_label, record_id.strip())
        return render_narratives(view.data, layers or [])

    @guarded
    def decide(self, round_label, record_id, status, note, version, layers, request: gr.Request):
        """Store the decision on top of the version loaded; on a conflict show who decided first and reload."""
        user = _user(request)
        record_id = (record_id or "").strip()
        if not record_id:
            return inline(RECORD_OUTPUTS, MESSAGE, "请先打开一条记录。")
        if status not in STATUSES:
            return inline(RECORD_OUTPUTS, MESSAGE, f"请选择审核结论：{'、'.join(STATUSES)}。")
        if status == RETURNED and not (note or "").strip():
            return inline(RECORD_OUTPUTS, MESSAGE, "退回修改时请在“审核意见”中写明原因。")
        try:
            made = self.service.decide(user, round_label, record_id, status, note or "", int(version or 0))
        except DecisionConflict as conflict:
            view = self.service.record(user, round_label, record_id)
            cur = conflict.current or view.decision
            text = (f"该记录已由{cur.reviewer}于{_when(cur.at)}决定为“{cur.status}”"
                    + (f"（意见：{cur.note}）" if cur.note else "") + "。已重新载入最新结果；如仍要修改，请确认后再次提交。"
                    if cur else "该记录已被他人更新，已重新载入。")
            return self._record_outputs(view, layers, notice(text, "warn"), keep_inputs=True)
        view = self.service.record(user, round_label, record_id)
        text = f"已保存：{made.status}（第{made.version}版，{_when(made.at)}）。"
        if len(self._saved) > 1000:  # left by API callers that never chain after_decision
            self._saved.clear()
        self._saved[self._session(request)] = (round_label, record_id, text)
        return self._record_outputs(view, layers, notice(text))

    @guarded
    def review_direction(self, verdict, round_label, record_id, direction, note, request: gr.Request):
        user = _user(request)
        record_id = (record_id or "").strip()
        if not record_id:
            return gr.update(), notice("请先打开一条记录。", "err")
        self.service.review_direction(user, round_label, record_id, direction, verdict, note or "")
        view = self.service.record(user, round_label, record_id)
        return (render_directions(view.data, view.direction_reviews),
                notice(f"已记录方向复核：{direction} — {VERDICTS[verdict]}"))

    @guarded
    def set_publicity(self, round_label, record_id, picked, request: gr.Request):
        user = _user(request)
        record_id = (record_id or "").strip()
        if not record_id:
            return gr.update(), notice("请先打开一条记录。", "err")
        now = self.service.set_publicity(user, round_label, record_id, [int(i) for i in picked or []])
        view = self.service.record(user, round_label, record_id)
        return (render_excerpts(view.data.get("highlights") or [], now),
                notice(f"宣传汇编已更新：本记录选定{len(now)}条摘录"))

    # -- dashboard, upload, export --------------------------------------------------------------------
    @guarded
    def dashboard(self, round_label, request: gr.Request):
        if not round_label:
            return (None,) * 4
        return dashboard_frames(self.service.dashboard(_user(request), round_label))

    @staticmethod
    def _year(value) -> str:
        try:
            return str(int(value)) if value not in (None, "") else ""
        except (TypeError, ValueError):
            raise gr.Error("轮次应为四位年份，例如 2025") from None

    def _upload_state(self, user, label: str):
        """The upload tab's listing, quarantine and removal choices for ``label``."""
        files = self.service.uploaded_files(user, label) if label else []
        held = self.service.quarantined(user, label) if label else []
        return (render_round_files(files), render_quarantine(held),
                gr.update(choices=[(f"{f.city or '未识别地市'} · {f.name}", f.file) for f in files], value=None),
                gr.update(choices=[(f"{q.get('file')}（{q.get('reason', '')[:20]}）", q.get("id")) for q in held],
                          value=None))

    @guarded
    def upload_tab(self, round_label, request: gr.Request):
        """On opening the tab or changing the round: the year (the open round by default), the round's files,
        the quarantine and the last upload's outcome (it survives a reload)."""
        user = _user(request)
        label = (self._year(round_label) or self._year(self.service.open_round(user, self.default_round))
                 or str(datetime.now().year))
        last = self.service.last_upload(user, label) if label else None
        summary = upload_summary(*last) if last else ""
        return (int(label) if label else None, summary) + self._upload_state(user, label)

    @guarded
    def upload_tab_open(self, year, round_label, request: gr.Request):
        """Opening the tab: the year typed there is kept, else the selected (or open) round."""
        return self.upload_tab(year if year not in (None, "") else round_label, request)

    @guarded
    def upload(self, round_label, files, request: gr.Request, progress=gr.Progress()):
        user = _user(request)
        round_label = self._year(round_label)
        if not files:
            raise gr.Error("请选择要上传的文件。")
        report = self.service.upload(user, round_label, list(files),
                                     lambda fraction, desc: progress(fraction, desc=desc))
        rounds = self.service.rounds(user)
        pick = gr.update(choices=rounds, value=report.round) if report.round in rounds else gr.update(choices=rounds)
        return (upload_summary(report), pick) + self._upload_state(user, report.round)

    @guarded
    def remove_file(self, round_label, file, request: gr.Request, progress=gr.Progress()):
        """Take the chosen file out of the round and re-analyse it."""
        user = _user(request)
        label = self._year(round_label)
        if not file:
            raise gr.Error("请先选择要删除的文件。")
        report = self.service.remove_file(user, label, file, lambda fraction, desc: progress(fraction, desc=desc))
        return (upload_summary(report), gr.update(choices=self.service.rounds(user))) + self._upload_state(user, label)

    @guarded
    def remove_quarantined(self, round_label, qid, request: gr.Request):
        user = _user(request)
        label = self._year(round_label)
        if not qid:
            raise gr.Error("请先选择要删除的隔离文件。")
        meta = self.service.remove_quarantined(user, label, qid)
        return (notice(f"已删除隔离文件：{meta.get('origin') or meta.get('file')}"),) + self._upload_state(user, label)

    @guarded
    def uploaded(self, round_label, request: gr.Request):
        return self._upload_state(_user(request), self._year(round_label))

    @guarded
    def export_excel(self, round_label, request: gr.Request):
        if not round_label:
            return None, notice("请先选择轮次。", "err")
        return str(self.service.export_excel(_user(request), round_label)), ""

    @guarded
    def export_publicity(self, round_label, request: gr.Request):
        if not round_label:
            return None, notice("请先选择轮次。", "err")
        return str(self.service.export_publicity(_user(request), round_label)), ""


def _names(items: list[str], limit: int = 12) -> str:
    shown = "、".join(items[:limit])
    return esc(shown + (f" 等{len(items)}个" if len(items) > limit else ""))


def upload_summary(report, who: str | None = None, when=None) -> str:
    """The upload's outcome: files saved, replaced, removed, refused and unreadable (each with its reason), the
    records added, changed and removed, what was imported; ``who``/``when`` for one shown again later."""
    parts = []
    if who:
        parts.append(f"<p><b>最近一次上传或删除</b>：{esc(who)}，{esc(_when(when))}</p>")
    if report.error:
        parts.append(f'<div class="notice err">{esc(report.error)}</div>')
    new = [n for n in report.saved if n not in report.replaced]
    for label, items in (("新增文件", new), ("替换同名文件", report.replaced), ("删除文件", report.removed_files)):
        if items:
            parts.append(f"<p>{label}{len(items)}个：{_names(items)}</p>")
    for label, items in (("未接收的文件", report.rejected), ("无法读取的文件", report.failures)):
        if items:
            lis = "".join(f"<li>{esc(i.file)}：{esc(i.reason)}</li>" for i in items[:50])
            more = f"<li>……共{len(items)}个</li>" if len(items) > 50 else ""
            parts.append(f'<div class="notice err"><b>{label}（{len(items)}个）</b><ul>{lis}{more}</ul></div>')
    if report.quarantined:
        parts.append(f"<p>已隔离{len(report.quarantined)}个文件（见下方“隔离的文件”，可删除）。</p>")
    if report.imported and report.skipped:
        parts.append(f'<div class="notice">{esc(report.round)}年材料与上次导入完全相同，未作改动'
                     f"（记录{report.records}条）。</div>")
    elif report.imported:
        extra = f"，其中与往年材料疑似重复{report.archived_pairs}对" if report.archived_pairs else ""
        parts.append(f'<div class="notice">已导入{esc(report.round)}年材料：记录{report.records}条'
                     f"（新增{report.added}条、修改{report.changed}条、移除{report.removed}条），问题{report.findings}项，"
                     f"疑似重复{report.duplicates}对{extra}。</div>")
    elif not report.error:
        parts.append('<div class="notice warn">没有可导入的记录，本轮材料未改动。</div>')
    return '<div class="jg">' + "".join(parts) + "</div>"


def render_round_files(files) -> str:
    """The round's files: city, type (附件1/2/3), name, when and by whom uploaded, records read."""
    from .uploads import KIND_LABELS

    if not files:
        return '<div class="jg"><p>本轮尚无已上传的文件。</p></div>'
    rows = "".join(
        f"<tr><td>{esc(f.city or '未识别')}</td><td>{esc(KIND_LABELS.get(f.kind, f.kind or '—'))}</td>"
        f"<td>{esc(f.name)}</td><td>{esc(_when(f.uploaded_at))}</td><td>{esc(f.uploaded_by)}</td>"
        f"<td>{f.records}</td><td>{esc(f.origin if f.origin != f.file else '')}</td></tr>" for f in files)
    return ('<div class="jg"><table class="files"><thead><tr><th>地市</th><th>类型</th><th>文件</th><th>上传时间</th>'
            f"<th>上传人</th><th>读取记录</th><th>上传时的名称</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<p>共{len(files)}个文件。</p></div>")


def render_quarantine(held: list[dict]) -> str:
    """Refused files kept out of the round, each with its reason."""
    if not held:
        return ""
    rows = "".join(f"<tr><td>{esc(q.get('origin') or q.get('file'))}</td><td>{esc(q.get('reason'))}</td>"
                   f"<td>{esc(str(q.get('at', ''))[:16].replace('T', ' '))}</td><td>{esc(q.get('actor'))}</td></tr>"
                   for q in held)
    return ('<div class="jg"><p><b>隔离的文件</b>（未纳入本轮，原因如下）</p><table class="files"><thead><tr><th>文件</th>'
            f"<th>原因</th><th>时间</th><th>操作人</th></tr></thead><tbody>{rows}</tbody></table></div>")


LAYER_CHOICES = [(zh, key) for key, zh in LAYERS.items()]
