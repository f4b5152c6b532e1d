"""End to end in Debian's chromium (Playwright): log in, upload the sample round as a zip, wait for the import,
filter the queue, open a record, decide, export the Excel — and every request stays on 127.0.0.1."""
import re
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import openpyxl
import pytest

from builders import CONTENT, EFFECT, project_row, write_csv
from webapp import HOSTILE, USERS, start

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
IMPORT_TIMEOUT = 600_000  # ms: the sample round's first analysis loads the embedding model


def sample_zip(path: Path) -> Path:
    """corpora/sample as a folder zip (the way a reviewer uploads a folder)."""
    sample = ROOT / "corpora" / "sample"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(sample.rglob("*")):
            if f.is_file() and "source" not in f.parts and f.suffix in (".xlsx", ".xls", ".docx"):
                zf.write(f, f.relative_to(sample.parent).as_posix())
    return path


def hostile_csv(path: Path) -> Path:
    """A 佛山市 附件1 whose company and narrative carry markup."""
    return write_csv(path, [project_row(1, 项目名称="恶意测试项目", 项目承担单位='<img src=x onerror="window.__xss=1">恶意公司',
                                        项目建设内容=HOSTILE + CONTENT, 技术改造实施效果=EFFECT)])


def download_export(page, button_id: str, target: Path) -> Path:
    """Press an export button, wait for its file link, download it to ``target``."""
    from playwright.sync_api import expect

    page.locator(f"#{button_id}").click()
    link = page.locator(f"#{button_id}-file a").first
    expect(link).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        link.click()
    download.value.save_as(target)
    return target


@pytest.fixture
def app_url(tmp_path, monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed at /usr/bin/chromium")
    demo, url = start(tmp_path, monkeypatch, max_file_size="5mb")  # small, to see the size refusal in Chinese
    yield url
    demo.close()
    demo.service.store.close()


def test_review_round_in_the_browser(app_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    upload = [sample_zip(tmp_path / "sample.zip"), hostile_csv(tmp_path / "佛山市-附件1-补充.csv")]
    bad = tmp_path / "汕头市-附件1-损坏.xlsx"
    bad.write_bytes(b"PK\x03\x04 broken")
    upload.append(bad)
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True)
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        try:
            page.goto(app_url)
            page.get_by_label("用户名").fill("prov")
            page.get_by_label("密码").fill(USERS["prov"][2])
            page.get_by_role("button", name="登录").click()
            expect(page.get_by_text("当前用户：prov")).to_be_visible(timeout=30_000)

            # upload the round: a folder as .zip, a hostile CSV, a broken workbook
            page.get_by_role("tab", name="上传").click()
            # a file over the size limit is refused by Gradio's client, in Chinese
            big = tmp_path / "佛山市-附件3-过大.docx"
            big.write_bytes(b"PK" + b"0" * (6 << 20))
            page.locator("#upload-files input[type=file]").set_input_files([str(big)])
            expect(page.get_by_text("文件超过允许的大小上限").first).to_be_visible(timeout=30_000)
            expect(page.get_by_text("exceed the maximum allowed size")).to_have_count(0)
            page.locator("#upload-year input").fill("2025")
            page.locator("#upload-files input[type=file]").set_input_files([str(f) for f in upload])
            expect(page.locator("#upload-files")).to_contain_text("sample.zip", timeout=60_000)
            page.locator("#upload-go").click()
            page.wait_for_function("() => /读取文件|分析文字|写入审核数据库/.test(document.body.innerText)",
                                   timeout=120_000)  # the progress bar tells what is happening
            result = page.locator("#upload-result")
            expect(result).to_contain_text("已导入2025年材料", timeout=IMPORT_TIMEOUT)
            expect(result).to_contain_text("汕头市-附件1-损坏.xlsx")  # named, with its reason; the rest imported

            # the queue, filtered by city and searched
            page.get_by_role("tab", name="审核队列").click()
            page.locator("#f-city input").click()
            page.get_by_role("option", name="佛山市", exact=True).click()
            expect(page.locator("#queue-summary")).to_contain_text("已筛选", timeout=30_000)
            table = page.locator("#queue-table")
            expect(table).to_contain_text("佛山市", timeout=30_000)
            expect(table).not_to_contain_text("汕头市")
            page.locator("#f-search input, #f-search textarea").first.fill("恶意测试项目")
            page.locator("#queue-go").click()
            expect(page.locator("#queue-summary")).to_contain_text("共1条记录", timeout=30_000)

            # open the hostile record: its markup is shown as text and never runs
            table.get_by_text("恶意测试项目").filter(visible=True).first.click()
            narrative = page.locator("#record-narrative")
            expect(narrative).to_contain_text("<script>window.__xss=1</script>", timeout=30_000)
            expect(narrative).to_contain_text("[点我](http://evil.example/)")
            expect(page.locator("#record-header")).to_contain_text('<img src=x onerror="window.__xss=1">恶意公司')
            assert page.evaluate("window.__xss") is None
            assert narrative.locator(".l-evidence").count() > 0
            page.get_by_label("量化数据").uncheck()
            expect(narrative.locator(".l-evidence")).to_have_count(0, timeout=30_000)

            # decide: 退回修改 without a note is answered beside the form, once, in Chinese, and covers nothing
            page.locator("#decision-status").get_by_role("radio", name="退回修改").check()
            page.locator("#decision-submit").click()
            message = page.locator("#decision-message")
            expect(message).to_contain_text("中写明原因", timeout=30_000)
            expect(page.get_by_text("中写明原因")).to_have_count(1)  # no toast repeating it
            expect(page.get_by_text("Error", exact=True)).to_have_count(0)
            page.locator("#decision-note textarea").click()  # the controls are not covered: they take the click
            page.locator("#decision-note textarea").fill("请删除正文中的标记")
            page.locator("#decision-submit").click()
            expect(page.locator("#decision-message")).to_contain_text("已保存：退回修改", timeout=30_000)
            page.locator("#decision-status").get_by_role("radio", name="待定").check()  # on the version just saved
            page.locator("#decision-submit").click()
            expect(page.locator("#decision-message")).to_contain_text("已保存：待定（第2版", timeout=30_000)
            page.locator("#decision-status").get_by_role("radio", name="退回修改").check()
            page.locator("#decision-submit").click()
            expect(page.locator("#decision-message")).to_contain_text("已保存：退回修改（第3版", timeout=30_000)
            # confirm a direction, pick an excerpt for the publicity pack
            page.get_by_role("button", name="确认识别结果").click()
            expect(page.get_by_text("已记录方向复核：智能化")).to_be_visible(timeout=30_000)
            page.get_by_text("候选宣传摘录", exact=True).click()
            page.locator("#record-picks").get_by_label("摘录1").check()
            page.locator("#record-publicity").click()
            expect(page.get_by_text("本记录选定1条摘录")).to_be_visible(timeout=30_000)
            expect(page.locator("#record-excerpts")).to_contain_text("已加入宣传汇编")
            shot = tmp_path / "review-record.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")

            # the reviewer's flow: the undecided 佛山市 records, 下一条 / 上一条 (buttons and keys), the next record
            # after a decision, the decision panel in view while reading further down
            page.get_by_role("tab", name="审核队列").click()
            page.locator("#f-search input, #f-search textarea").first.fill("")
            page.locator("#f-status input").click()
            page.get_by_role("option", name="未审", exact=True).click()
            expect(page.locator("#queue-summary")).not_to_contain_text("共1条记录", timeout=30_000)
            record_id = page.locator("#record-id input, #record-id textarea").first
            hostile = record_id.input_value()  # still the record decided above (not 未审: not in this queue)
            table.get_by_text("佛山市", exact=True).filter(visible=True).first.click()  # the first row's 地市 cell
            expect(record_id).not_to_have_value(hostile, timeout=30_000)
            first = record_id.input_value()
            page.locator("#record-next").click()
            expect(record_id).not_to_have_value(first, timeout=30_000)
            second = record_id.input_value()
            expect(page.locator("#decision-message")).to_contain_text("当前队列第2/")
            page.keyboard.press("Alt+p")
            expect(record_id).to_have_value(first, timeout=30_000)
            assert page.evaluate("document.documentElement.scrollHeight") > 1500  # a record longer than the window
            page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
            assert page.evaluate("window.scrollY") > 300
            box = page.locator("#decision-submit").bounding_box()
            assert box and 0 <= box["y"] and box["y"] + box["height"] <= 1000, box  # still in the viewport
            page.locator("#decision-status").get_by_role("radio", name="通过").check()
            page.locator("#decision-submit").click()
            expect(page.locator("#decision-message")).to_contain_text("已打开下一条", timeout=30_000)
            expect(record_id).to_have_value(second)
            expect(page.locator("#record-header")).to_contain_text(second)

            # a batch decision for the rows of the queue (still the undecided 佛山市 ones), one note for all
            page.get_by_role("tab", name="审核队列").click()
            page.get_by_text("批量审核（对选中的记录作出同一结论）").click()
            undecided = int(re.search(r"共(\d+)条记录", page.locator("#queue-summary").inner_text())[1])
            page.locator("#batch-all").click()
            expect(page.locator("#batch-pick")).to_contain_text("（未审）", timeout=30_000)
            page.locator("#batch-status").get_by_role("radio", name="待定").check()
            page.locator("#batch-note textarea").fill("批量：待补充证明材料")
            page.locator("#batch-submit").click()
            expect(page.locator("#batch-message")).to_contain_text(f"已保存{undecided}条：待定", timeout=60_000)
            expect(page.locator("#queue-summary")).to_contain_text("共0条记录", timeout=30_000)  # the queue refreshed
            page.get_by_role("tab", name="记录").click()

            # the sample's recycled submission: 汕头's row shown beside 佛山's, shared passages marked on both sides
            page.locator("#record-id input, #record-id textarea").first.fill("汕头市-附件1-工业技术改造项目推荐表:重点项目:4")
            page.locator("#record-open").click()
            duplicates = page.locator("#record-duplicates")
            expect(duplicates).to_contain_text("佛山市", timeout=30_000)
            expect(duplicates.locator(".dup-col")).to_have_count(2)
            for column in (0, 1):
                assert duplicates.locator(".dup-col").nth(column).locator(".l-shared").count() >= 3
            page.screenshot(path=str(tmp_path / "review-duplicate.png"), full_page=True)

            # export the Excel with the decision
            page.get_by_role("tab", name="导出").click()
            xlsx = download_export(page, "export-excel", tmp_path / "export.xlsx")
            docx = download_export(page, "export-publicity", tmp_path / "publicity.docx")

            # the dashboard
            page.get_by_role("tab", name="统计").click()
            expect(page.locator("#stats-cities")).to_contain_text("韶关市", timeout=30_000)
            expect(page.locator("#stats-codes canvas, #stats-codes svg").first).to_be_visible(timeout=30_000)
        finally:
            context.close()
            browser.close()
    ws = openpyxl.load_workbook(xlsx)["审核结果"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]
    decided = [r for r in rows if r["审核结论"] == "退回修改"]
    assert len(rows) > 90 and len(decided) == 1
    assert decided[0]["审核意见"] == "请删除正文中的标记" and decided[0]["审核人"] == "prov"
    assert sum(r["审核结论"] == "通过" for r in rows) == 1  # the flow's decision
    batch = [r for r in rows if r["审核意见"] == "批量：待补充证明材料"]
    assert len(batch) == undecided > 2 and {r["审核结论"] for r in batch} == {"待定"}
    assert {r["地市"] for r in batch} == {"佛山市"}
    assert all("/" not in r["出处"] for r in rows)  # 地市 · 企业 · 文件名, no folders
    from docx import Document

    pack = "\n".join(p.text for p in Document(docx).paragraphs)
    assert "典型经验汇编（2025年）" in pack
    # the one picked excerpt is of the record decided 退回修改: left out of the pack, and the pack says so
    assert "恶意公司" not in pack and "审核结论为“退回修改”的1条记录的摘录未收入" in pack
    outside = {u for u in requests if urlparse(u).scheme not in ("data", "blob", "about")
               and urlparse(u).hostname not in ("127.0.0.1", "localhost")}
    assert not outside, f"requests left the machine: {sorted(outside)}"
    assert len(requests) > 10
