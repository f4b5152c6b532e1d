"""The Gradio layout: round selector, tabs 上传 · 审核队列 · 记录 · 统计 · 导出, and their events.

Every event passes through handlers.Handlers, which asks the store with the logged-in user's Viewer; the
UI hides nothing that the server would otherwise allow.
"""
from __future__ import annotations

from pathlib import Path

import gradio as gr  # app/web/__init__.py has switched Gradio's telemetry off before this import

from app.store import DIRECTIONS, STATUSES, UNREVIEWED
from nlp.constants import CODES

from .auth import Users
from .handlers import ALL, LAYER_CHOICES, SEVERITY_CHOICES, SORT_CHOICES, Handlers
from .service import Service
from .tables import QUEUE_COLUMNS, QUEUE_WIDTHS
from .uploads import ALLOWED_SUFFIXES, ANALYSIS_TIMEOUT_S, DEFAULT_MAX_FILE_SIZE

TITLE = "工业技术改造“百企千项”申报材料审核"
HIDDEN = "undocumented"  # callable (the UI needs it) but not listed in the API docs
#: run once in the browser on page load (nothing fetched): Alt+N / Alt+P press 下一条 / 上一条, Ctrl+Enter in the
#: decision note submits it; Gradio's client-side file-size refusal ("File(s) exceed the maximum allowed size of
#: 50 MB: …", English in every locale) is rewritten in Chinese wherever it appears
KEYS_JS = r"""
() => {
  const press = (id) => { const b = document.getElementById(id); if (b) { b.click(); return true; } return false; };
  document.addEventListener("keydown", (e) => {
    const k = (e.key || "").toLowerCase();
    if (e.altKey && !e.ctrlKey && !e.metaKey && (k === "n" || k === "p")) {
      if (press(k === "n" ? "record-next" : "record-prev")) e.preventDefault();
    } else if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && e.target.closest && e.target.closest("#decision-note")) {
      if (press("decision-submit")) e.preventDefault();
    }
  }, true);
  const size = /File\(s\) exceed the maximum allowed size of ([^:]+):\s*(.*)/;
  const fix = (node) => {
    const m = size.exec(node.nodeValue || "");
    if (m) node.nodeValue = `文件超过允许的大小上限（${m[1].trim()}），未上传：${m[2].replace(/"/g, "")}`;
    else if (node.nodeValue === "Error" && node.parentElement && node.parentElement.closest(".toast-body, .toast-wrap, [data-testid='toast-body']")) node.nodeValue = "错误";
  };
  const walk = (root) => {
    if (root.nodeType === 3) { fix(root); return; }
    const it = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = it.nextNode(); n; n = it.nextNode()) fix(n);
  };
  new MutationObserver((records) => records.forEach((r) => {
    r.addedNodes.forEach(walk);
    if (r.type === "characterData") fix(r.target);
  })).observe(document.body, {childList: true, subtree: true, characterData: true});
}
"""


def build_app(store, users: Users, data_dir: Path, *, max_file_size: int = DEFAULT_MAX_FILE_SIZE,
              archive_path: Path | None = None, default_round: str | None = None) -> gr.Blocks:
    """The review app over ``store`` for the reviewers of ``users``."""
    service = Service(store, users, data_dir, max_file_size=max_file_size, archive_path=archive_path)
    h = Handlers(service, default_round)
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(3600, 6 * 3600)) as demo:
        demo.service = service  # for tests and the server
        with gr.Row():
            gr.HTML(f'<div class="jg"><h2 style="margin:0">{TITLE}</h2></div>')
            who = gr.HTML()
        with gr.Row():
            round_dd = gr.Dropdown(label="轮次", choices=[], value=None, scale=1, elem_id="round",
                                   allow_custom_value=True)
            refresh = gr.Button("刷新", scale=0)
        with gr.Tabs(selected="queue") as tabs:
            upload_events = upload_tab(h, round_dd)
            q = queue_tab(h, round_dd)
            r = record_tab(h, round_dd, q["order"])
            stats = stats_tab(h, round_dd)
            export_tab(h, round_dd)
        q["table"].select(h.pick_row, None, [r["record_id"], tabs], api_visibility="private").then(
            h.open_record, [round_dd, r["record_id"], r["layers"]], r["outputs"], api_visibility="private")
        demo.load(h.on_load, None, [who, round_dd], api_visibility="private")
        demo.load(None, None, None, js=KEYS_JS)  # keyboard shortcuts and Chinese for Gradio's own upload-size toast
        round_dd.change(h.queue, q["inputs"], q["outputs"], api_visibility="private")
        round_dd.change(h.dashboard, [round_dd], stats, api_visibility="private")
        refresh.click(h.refresh_rounds, [round_dd], [round_dd], api_visibility="private").then(
            h.queue, q["inputs"], q["outputs"], api_visibility="private").then(
            h.dashboard, [round_dd], stats, api_visibility="private")
        r["decided"].then(h.queue, q["inputs"], q["outputs"], api_visibility="private")
        for event in upload_events:  # an import changes the queue and the dashboard
            event.then(h.queue, q["inputs"], q["outputs"], api_visibility="private").then(
                h.dashboard, [round_dd], stats, api_visibility="private")
    return demo


def upload_tab(h: Handlers, round_dd):
    """The upload tab; returns the upload event (build_app chains the queue's refresh after it)."""
    with gr.Tab("上传", id="upload") as tab:
        gr.HTML('<div class="jg"><p>上传各地报送的附件1（项目推荐表）、附件2（示范企业汇总表）和附件3（典型做法）。'
                "可一次选择多个文件；整个文件夹请先压缩为 .zip（压缩包会展开为其中的文件）。本轮中同名的文件——无论来自启动时载入、"
                "单独上传还是压缩包——都会被新上传的文件替换；文件按路径或文件名中的地市归档。每次上传或删除后，系统会重新分析该轮"
                f"全部材料（以便发现跨地市的重复材料），并与往年材料库比对；分析超过{ANALYSIS_TIMEOUT_S // 60}分钟会停止，"
                "本轮材料保持不变。被拒绝或无法读取的文件会隔离并说明原因。仅省级审核人员可以上传和删除。</p></div>")
        with gr.Row():
            year = gr.Number(label="轮次（年份）", value=None, precision=0, minimum=2021, maximum=2100,
                             elem_id="upload-year")
        files = gr.File(label="选择文件", file_count="multiple", file_types=list(ALLOWED_SUFFIXES), type="filepath",
                        elem_id="upload-files")
        go = gr.Button("上传并分析", variant="primary", elem_id="upload-go")
        result = gr.HTML(elem_id="upload-result")
        gr.HTML('<div class="jg"><h4 style="margin:8px 0 0">本轮的文件</h4></div>')
        listing = gr.HTML(elem_id="upload-files-list")
        with gr.Row():
            pick = gr.Dropdown(label="选择要从本轮删除的文件", choices=[], value=None, elem_id="upload-remove-pick",
                               scale=3)
            remove = gr.Button("删除所选文件并重新分析", variant="stop", elem_id="upload-remove", scale=1)
        held = gr.HTML(elem_id="upload-quarantine")
        with gr.Row():
            q_pick = gr.Dropdown(label="选择要删除的隔离文件", choices=[], value=None, elem_id="upload-q-pick", scale=3)
            q_remove = gr.Button("删除隔离文件", elem_id="upload-q-remove", scale=1)
        q_msg = gr.HTML()
        state = [listing, held, pick, q_pick]
        uploaded = go.click(h.upload, [year, files], [result, round_dd] + state, api_name="upload",
                            api_visibility=HIDDEN, concurrency_limit=4, concurrency_id="upload")
        removed = remove.click(h.remove_file, [year, pick], [result, round_dd] + state, api_name="remove_file",
                               api_visibility=HIDDEN, concurrency_limit=4, concurrency_id="upload")
        q_remove.click(h.remove_quarantined, [year, q_pick], [q_msg] + state, api_name="remove_quarantined",
                       api_visibility=HIDDEN)
        year.submit(h.uploaded, [year], state, api_visibility="private")
        round_dd.change(h.upload_tab, [round_dd], [year, result] + state, api_visibility="private")
        tab.select(h.upload_tab_open, [year, round_dd], [year, result] + state, api_visibility="private")
    return uploaded, removed


def queue_tab(h: Handlers, round_dd) -> dict:
    with gr.Tab("审核队列", id="queue"):
        with gr.Row():
            city = gr.Dropdown(label="地市", choices=[("全部地市", ALL)], value=ALL, elem_id="f-city",
                               allow_custom_value=True)
            # allow_custom_value: a value that is not a choice (typed, or from an API caller) reaches the handler,
            # which answers in Chinese beside the filters, instead of Gradio's English refusal
            severity = gr.Dropdown(label="最严重问题", choices=SEVERITY_CHOICES, value=ALL, elem_id="f-severity",
                                   allow_custom_value=True)
            code = gr.Dropdown(label="问题类型", choices=[("全部", ALL)] + [(f"{c.title}（{k}）", k) for k, c in CODES.items()],
                               value=ALL, elem_id="f-code", allow_custom_value=True)
            direction = gr.Dropdown(label="改造方向（申报或识别）", choices=[("全部", ALL)] + [(d, d) for d in DIRECTIONS],
                                    value=ALL, elem_id="f-direction", allow_custom_value=True)
            status = gr.Dropdown(label="审核状态", choices=[("全部", ALL), (UNREVIEWED, UNREVIEWED)] +
                                 [(s, s) for s in STATUSES], value=ALL, elem_id="f-status", allow_custom_value=True)
        with gr.Row():
            search = gr.Textbox(label="搜索（企业、项目名称或正文）", elem_id="f-search", scale=3)
            dup = gr.Checkbox(label="只看疑似重复", value=False)
            sort = gr.Dropdown(label="排序", choices=SORT_CHOICES, value="severity", elem_id="f-sort",
                               allow_custom_value=True)
            go = gr.Button("查询", variant="primary", elem_id="queue-go", scale=0)
        summary = gr.HTML(elem_id="queue-summary")
        table = gr.Dataframe(headers=QUEUE_COLUMNS, interactive=False, wrap=True, max_height=600,
                             column_widths=QUEUE_WIDTHS, elem_id="queue-table", label="点击一行打开记录")
        order = gr.State([])  # the record ids in the queue's current order (下一条/上一条, next after a decision)
        with gr.Accordion("批量审核（对选中的记录作出同一结论）", open=False, elem_id="batch"):
            batch_pick = gr.Dropdown(label="选择记录（可多选）", choices=[], value=[], multiselect=True,
                                     elem_id="batch-pick")
            with gr.Row():
                batch_all = gr.Button("选中当前队列全部记录", size="sm", elem_id="batch-all", scale=0)
                batch_status = gr.Radio(list(STATUSES), label="批量审核结论", elem_id="batch-status")
            batch_note = gr.Textbox(label="批量审核意见（同一意见写入每条记录；退回修改时必填）", lines=2,
                                    elem_id="batch-note")
            batch_go = gr.Button("提交批量审核结论", variant="primary", elem_id="batch-submit")
            batch_msg = gr.HTML(elem_id="batch-message")
        inputs = [round_dd, city, severity, code, direction, status, search, dup, sort]
        outputs = [table, summary, city, order, batch_pick]
        go.click(h.queue, inputs, outputs, api_name="queue", api_visibility=HIDDEN)
        search.submit(h.queue, inputs, outputs, api_visibility="private")
        for f in (severity, code, direction, status, dup, sort):
            f.change(h.queue, inputs, outputs, api_visibility="private")
        city.input(h.queue, inputs, outputs, api_visibility="private")
        batch_all.click(h.select_all, [order], [batch_pick], api_visibility="private")
        batch_go.click(h.decide_batch, [round_dd, batch_pick, batch_status, batch_note], [batch_msg],
                       api_name="decide_batch", api_visibility=HIDDEN).then(
            h.queue, inputs, outputs, api_visibility="private")
    return {"table": table, "inputs": inputs, "outputs": outputs, "order": order}


def record_tab(h: Handlers, round_dd, order) -> dict:
    """The record: what it says (left) and, beside it and in view while scrolling, the decision (right).
    ``order``: the queue's record ids in its current order (gr.State)."""
    with gr.Tab("记录", id="record"):
        with gr.Row():
            record_id = gr.Textbox(label="记录编号", elem_id="record-id", scale=4)
            open_btn = gr.Button("打开", scale=0, elem_id="record-open")
        with gr.Row(equal_height=False, elem_id="record-body"):
            with gr.Column(scale=3, min_width=480):
                header = gr.HTML(elem_id="record-header")
                layers = gr.CheckboxGroup(LAYER_CHOICES, value=[k for _, k in LAYER_CHOICES], label="高亮图层",
                                          elem_id="record-layers")
                narrative = gr.HTML(elem_id="record-narrative")
                with gr.Accordion("问题清单", open=True):
                    findings = gr.HTML(elem_id="record-findings")
                with gr.Accordion("改造方向：申报与识别", open=True):
                    directions = gr.HTML(elem_id="record-directions")
                    with gr.Row():
                        d_pick = gr.Dropdown(label="方向", choices=list(DIRECTIONS), value=DIRECTIONS[0])
                        d_note = gr.Textbox(label="复核说明（可选）", scale=2)
                    with gr.Row():
                        d_buttons = {v: gr.Button(label, size="sm") for v, label in
                                     (("accept", "确认识别结果"), ("reject", "更正：否定该方向"), ("add", "更正：补充该方向"))}
                    d_msg = gr.HTML()
                with gr.Accordion("疑似重复材料（左右对照，相同段落高亮）", open=True):
                    duplicates = gr.HTML(elem_id="record-duplicates")
                with gr.Accordion("候选宣传摘录", open=False):
                    excerpts = gr.HTML(elem_id="record-excerpts")
                    picks = gr.CheckboxGroup([], label="选定加入宣传汇编的摘录", elem_id="record-picks")
                    pick_btn = gr.Button("加入宣传汇编（保存勾选）", size="sm", elem_id="record-publicity")
                    pick_msg = gr.HTML()
            with gr.Column(scale=1, min_width=300, elem_id="decision-panel"):
                with gr.Row():
                    prev_btn = gr.Button("上一条", size="sm", elem_id="record-prev")
                    next_btn = gr.Button("下一条", size="sm", elem_id="record-next")
                gr.HTML('<div class="jg hint">快捷键：Alt+P 上一条 · Alt+N 下一条 · Ctrl+Enter 提交（在审核意见中）</div>')
                with gr.Group():
                    status = gr.Radio(list(STATUSES), label="审核结论", elem_id="decision-status")
                    note = gr.Textbox(label="审核意见（退回修改时请写明原因）", lines=3, elem_id="decision-note")
                    version = gr.Number(value=0, precision=0, visible=False, elem_id="decision-version")
                    auto_next = gr.Checkbox(value=True, label="提交后打开下一条", elem_id="decision-next")
                    submit = gr.Button("提交审核结论", variant="primary", elem_id="decision-submit")
                    message = gr.HTML(elem_id="decision-message")
                with gr.Accordion("审核历史", open=False):
                    history = gr.HTML(elem_id="record-history")
        outputs = [header, narrative, findings, directions, duplicates, excerpts, picks, status, note, version,
                   history, message]
        open_args = [round_dd, record_id, layers]
        open_btn.click(h.open_record, open_args, outputs, api_name="open_record", api_visibility=HIDDEN)
        record_id.submit(h.open_record, open_args, outputs, api_visibility="private")
        layers.change(h.relayer, open_args, [narrative], api_visibility="private")
        for button, offset in ((prev_btn, -1), (next_btn, 1)):
            button.click(_step(h, offset), [round_dd, record_id, order, layers], outputs + [record_id],
                         api_visibility="private")
        decided = submit.click(h.decide, [round_dd, record_id, status, note, version, layers], outputs,
                               api_name="decide", api_visibility=HIDDEN).then(
            h.after_decision, [round_dd, order, auto_next, layers], outputs + [record_id], api_visibility="private")
        for verdict, button in d_buttons.items():
            button.click(_bind(h.review_direction, verdict), [round_dd, record_id, d_pick, d_note],
                         [directions, d_msg], api_name=f"direction_{verdict}", api_visibility=HIDDEN)
        pick_btn.click(h.set_publicity, [round_dd, record_id, picks], [excerpts, pick_msg], api_name="publicity",
                       api_visibility=HIDDEN)
    return {"record_id": record_id, "layers": layers, "outputs": outputs, "decided": decided}


def _step(h: Handlers, offset: int):
    """h.step with its offset fixed (上一条 -1, 下一条 +1), keeping a signature Gradio can read."""
    def step(round_label, record_id, order, layers, request: gr.Request):
        return h.step(offset, round_label, record_id, order, layers, request)
    return step


def _bind(fn, verdict: str):
    """fn with its first argument fixed, keeping a signature Gradio can read (for gr.Request)."""
    def bound(round_label, record_id, direction, note, request: gr.Request):
        return fn(verdict, round_label, record_id, direction, note, request)
    return bound


def stats_tab(h: Handlers, round_dd) -> list:
    with gr.Tab("统计", id="stats"):
        cities = gr.Dataframe(label="各地市报送与配额", interactive=False, elem_id="stats-cities")
        with gr.Row():
            directions = gr.BarPlot(x="方向", y="记录数", color="类别", title="改造方向：申报与识别", x_label_angle=-30,
                                    elem_id="stats-directions")
            codes = gr.BarPlot(x="问题", y="数量", title="问题类型分布", x_label_angle=-45, sort="-y",
                               elem_id="stats-codes")
        status = gr.Dataframe(label="审核进度", interactive=False, elem_id="stats-status")
        gr.Button("刷新统计", size="sm").click(h.dashboard, [round_dd], [cities, directions, codes, status],
                                            api_name="dashboard", api_visibility=HIDDEN)
    return [cities, directions, codes, status]


def export_tab(h: Handlers, round_dd) -> None:
    with gr.Tab("导出", id="export"):
        gr.HTML('<div class="jg"><p>导出所选轮次的审核结果（含每条记录的审核结论、意见、审核人和时间），以及审核人员选定的宣传摘录汇编。'
                "地市用户只导出本地市的记录。</p></div>")
        with gr.Row():
            xlsx_btn = gr.Button("导出审核结果（Excel）", variant="primary", elem_id="export-excel")
            docx_btn = gr.Button("导出宣传汇编（Word）", elem_id="export-publicity")
        with gr.Row():
            xlsx = gr.File(label="审核结果", interactive=False, elem_id="export-excel-file")
            docx = gr.File(label="宣传汇编", interactive=False, elem_id="export-publicity-file")
        msg = gr.HTML(elem_id="export-message")
        xlsx_btn.click(h.export_excel, [round_dd], [xlsx, msg], api_name="export_excel", api_visibility=HIDDEN)
        docx_btn.click(h.export_publicity, [round_dd], [docx, msg], api_name="export_publicity",
                       api_visibility=HIDDEN)
