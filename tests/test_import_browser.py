"""The upload page in Debian's chromium: a good and a bad file, the errors, the report download,
commit, and rollback on the batches page."""

import os
from pathlib import Path

import import_corpus as corpus
import pytest
from browser_helpers import goto_page, wait_for_app

from kaohe.data.warehouse import Warehouse
from kaohe.ingest import pipeline

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path(os.environ["KAOHE_SHOTS"]) if os.environ.get("KAOHE_SHOTS") else None  # screenshots to look at


def shoot(page, path) -> None:
    """The whole page (Streamlit scrolls inside its main block, so grow the window for the picture)."""
    page.set_viewport_size({"width": 1440, "height": 2400})
    wait_for_app(page)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1440, "height": 900})


def test_upload_check_download_commit_and_roll_back(start_streamlit, browser_page, sample_wh, tmp_path):
    good = tmp_path / "12345热线2026年10月.csv"
    good.write_bytes(corpus.hotline_gbk())
    bad = tmp_path / "坏文件.csv"
    bad.write_bytes((corpus.LONG_HEADER + "S99,HL_SATISFY,2026-10,95,,\nS01,HL_SATISFY,2026-10,120%,,\n").encode())
    big = tmp_path / "历史回填.csv"  # over the page's limit, which is Streamlit's own (server.maxUploadSize)
    corpus.big_csv(big, size=pipeline.MAX_UPLOAD_BYTES + 1024 * 1024)
    server = start_streamlit(sample_wh.path)
    page = browser_page

    goto_page(page, server.url, "import")
    page.locator('input[type="file"]').set_input_files([str(good), str(bad), str(big)])
    page.get_by_text("文件有 2 项错误，未导入", exact=False).wait_for(timeout=60_000)
    wait_for_app(page)
    # the browser refuses the big file before sending it, in our words (not Streamlit's English)
    chips = page.locator('[data-testid="stFileChip"][aria-invalid="true"]')
    assert chips.count() == 1 and "历史回填.csv" in chips.first.inner_text()
    assert page.evaluate("""() => getComputedStyle(document.querySelector(
        '[data-testid="stFileChip"][aria-invalid="true"] [data-testid="stFileChipName"] + div'), '::after').content""") \
        == '"超过 20 MB，未上传"'
    assert not page.locator('[data-testid="stException"]').count()
    if SHOTS:
        shoot(page, SHOTS / "import-good-and-bad.png")
    for problem in ("单位不在单位名录中", "超出指标取值范围"):  # cells of the problem table (drawn, then attached)
        page.get_by_text(problem, exact=False).first.wait_for(state="attached", timeout=30_000)

    with page.expect_download() as info:
        page.get_by_role("button", name="下载报告（CSV）").last.click()
    report = info.value.path().read_bytes()
    assert report.startswith(b"\xef\xbb\xbf")
    assert "单位不在单位名录中" in report.decode("utf-8-sig") and "S99" in report.decode("utf-8-sig")

    before = Warehouse(sample_wh.path).batches()
    page.get_by_role("button", name="导入此文件").click()
    page.get_by_text("已导入：批次", exact=False).wait_for(timeout=60_000)
    after = Warehouse(sample_wh.path).batches()
    assert len(after) == len(before) + 1
    batch_id = int(after.iloc[0]["batch_id"])
    assert after.iloc[0]["source_name"] == good.name and after.iloc[0]["status"] == "committed"

    goto_page(page, server.url, "batches")
    page.get_by_text(f"确认回滚批次 {batch_id}", exact=False).click()
    wait_for_app(page)
    page.get_by_role("button", name="回滚").click()
    page.get_by_text(f"已回滚批次 {batch_id}", exact=False).wait_for(timeout=60_000)
    if SHOTS:
        shoot(page, SHOTS / "batches-rolled-back.png")
    assert Warehouse(sample_wh.path).batch(batch_id)["status"] == "rolled_back"


def test_a_published_month_is_corrected_with_a_reason_through_the_page(start_streamlit, browser_page, sample_wh,
                                                                       tmp_path):
    from kaohe.metrics import service

    service.publish(sample_wh, "2026-10", "考核办")
    good = tmp_path / "12345热线2026年10月.csv"
    good.write_bytes(corpus.hotline_gbk())
    server = start_streamlit(sample_wh.path)
    page = browser_page

    goto_page(page, server.url, "import")
    page.locator('input[type="file"]').set_input_files([str(good)])
    page.get_by_text("考核结果已发布，不能直接覆盖", exact=False).first.wait_for(state="attached", timeout=60_000)
    wait_for_app(page)
    if SHOTS:
        shoot(page, SHOTS / "import-published.png")
    assert page.get_by_role("button", name="导入此文件").count() == 0  # blocked until a reason is given
    box = page.get_by_role("textbox", name="更正理由", exact=False)
    box.fill("热线平台重算满意率")
    box.press("Enter")
    page.get_by_role("button", name="导入此文件").wait_for(timeout=60_000)
    wait_for_app(page)
    if page.get_by_text("确认导入", exact=False).count():  # warnings, if any, are confirmed first
        page.get_by_text("确认导入", exact=False).click()
        wait_for_app(page)
    page.get_by_role("button", name="导入此文件").click()
    page.get_by_text("已导入：批次", exact=False).wait_for(timeout=60_000)
    if SHOTS:
        shoot(page, SHOTS / "import-landed.png")
    batch = Warehouse(sample_wh.path).batches().iloc[0]
    assert batch["reason"] == "热线平台重算满意率" and batch["source_name"] == good.name
