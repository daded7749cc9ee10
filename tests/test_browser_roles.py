"""Each role signs in against one running server, in Debian's chromium, and does what that role does (issue
15's "Done when"), in the order an assessment month runs:

- a leader sees every page but the accounts, and no import, publish or adjust control on any of them;
- an evaluator of the 12345 source imports the hotline file, and is refused, in words, a file holding the
  emergency office's indicators (nothing of it written);
- a unit sees its own profile only (another unit's URL is refused) and, during 公示, files an appeal
  with an attachment;
- the office (admin) accepts it with an adjustment, publishes, and the publication carries the change.

The tests share the server and its warehouse and run in file order (one story); each role has its own
browser context, so its own cookie."""

from __future__ import annotations

import json
import shutil
import struct
import urllib.parse
import zlib

import import_corpus as corpus
import pytest
from browser_helpers import (
    BROWSER_LOGIN,
    BROWSER_PASSWORD,
    ensure_account,
    goto_page,
    submit_sign_in,
    wait_for_app,
)

from kaohe.base import i18n
from kaohe.data.warehouse import Warehouse

pytestmark = [pytest.mark.browser, pytest.mark.slow]
MONTH = "2026-10"
PASSWORD = "role-tests-password"
UNIT = "S01"  # 东湖街道 in the sample
POINTS = 1.5


def png() -> bytes:
    """A real 1x1 PNG: the appeal's evidence is judged by its first bytes, not its name."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def story(sample_db, tmp_path_factory):
    """The sample district with an account per role and 2026-10 on notice (公示, 7 days), served live."""
    from browser_helpers import StreamlitServer

    from kaohe.metrics import appeals

    db = tmp_path_factory.mktemp("roles") / "roles.duckdb"
    shutil.copy(sample_db, db)
    ensure_account(db)  # the office: the helpers' admin
    ensure_account(db, "lingdao", PASSWORD, role="leader")
    ensure_account(db, "rexian", PASSWORD, role="evaluator", sources=["12345"])
    ensure_account(db, "donghu", PASSWORD, role="unit", unit_code=UNIT)
    wh = Warehouse(db)
    appeals.open_publicity(wh, MONTH, days=7, actor="考核办")
    server = StreamlitServer(db)
    server.wait_healthy()
    yield server, wh
    server.stop()


@pytest.fixture
def person(_browser):
    """Factory: a browser context of its own (its own cookie) signed in as `login`."""
    contexts = []

    def sign_in(server, login: str, password: str = PASSWORD):
        context = _browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True,
                                       locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        goto_page(page, server.url, "", sign_in=False)
        submit_sign_in(page, login, password, timeout=60_000)
        assert not page.locator(".st-key-signin_login").count(), f"{login} was not signed in"
        # the session's cookie is written by the run after signing in: the next URL opened is still them
        page.wait_for_function("() => document.cookie.includes('kaohe_session=')", timeout=60_000)
        return page

    yield sign_in
    for c in contexts:
        c.close()


def go(page, server, path: str) -> None:
    """Open a page as the person signed in (never falling back to the helpers' admin)."""
    goto_page(page, server.url, path, sign_in=False)
    assert not page.locator(".st-key-signin_login").count(), f"signed out at /{path}"


def nav_paths(page) -> list[str]:
    hrefs = page.locator('[data-testid="stSidebarNav"] a').evaluate_all("els => els.map(e => e.href)")
    return [urllib.parse.urlparse(h).path.strip("/") for h in hrefs]  # "": the role's default page


def no_exception(page, where: str) -> None:
    assert not page.locator('[data-testid="stException"]').count(), where


# controls that change something: an uploader, the import commit, the publish and adjust forms, a rollback,
# the scheme's activation, the appeal decision
CHANGE_CONTROLS = ", ".join(f'[class*="st-key-{key}"]' for key in (
    "imp_commit", "imp_rollback", "pf_adj_", "pf_rev", "ap_rev_reason_form", "ap_override_form",
    "ap_verdict_form", "ap_deadline_form", "sc_activate", "sc_import", "sc_copy", "sc_save_draft",
    "acct_")) + ', [data-testid="stFileUploader"]'



def test_a_leader_sees_every_page_but_no_control_that_changes_anything(story, person):
    server, wh = story
    page = person(server, "lingdao")
    paths = nav_paths(page)
    assert "accounts" not in paths and {"", "rankings", "profile", "import", "appeals", "audit"} <= set(paths)
    for path in paths:
        go(page, server, path)
        no_exception(page, path)
        assert not page.locator('[data-testid="stAlertContentError"]').count(), (path, "refused")
        assert page.locator(CHANGE_CONTROLS).count() == 0, path
        for word in (i18n.t("ap.publish_button", "zh"), i18n.t("import.page.commit", "zh")):
            assert page.get_by_role("button", name=word, exact=True).count() == 0, (path, word)
    go(page, server, "accounts")  # not the leader's: the URL opens the leader's default page
    assert page.locator("[class*='st-key-acct_']").count() == 0


def test_an_evaluator_imports_hotline_figures_and_is_refused_the_emergency_offices(story, person, tmp_path):
    server, wh = story
    page = person(server, "rexian")
    assert "rankings" not in nav_paths(page) and "batches" in nav_paths(page)  # the import page: its default
    hotline = tmp_path / "12345热线2026年10月.csv"
    hotline.write_bytes(corpus.hotline_gbk())
    before = len(wh.batches())
    go(page, server, "import")
    page.locator('input[type="file"]').set_input_files(str(hotline))
    page.get_by_role("button", name=i18n.t("import.page.commit", "zh")).click()
    page.get_by_text("已导入：批次", exact=False).wait_for(timeout=60_000)
    batches = wh.batches()
    assert len(batches) == before + 1 and batches.iloc[0]["actor"] == "rexian"

    emergency = tmp_path / "应急管理局2026年10月.csv"
    emergency.write_bytes((corpus.LONG_HEADER + "S01,EM_PLAN,2026-10,95,,\nS02,EM_DRILL,2026-10,3,,\n"
                           "S03,HL_SATISFY,2026-10,90,,\n").encode())
    go(page, server, "import")
    page.locator('input[type="file"]').set_input_files(str(emergency))
    refusal = page.locator('[data-testid="stAlertContentError"]').filter(has_text="EM_PLAN")
    refusal.first.wait_for(timeout=60_000)
    words = refusal.first.inner_text()
    assert "不属于您" in words and "EM_DRILL" in words and "应急管理局" in words
    wait_for_app(page)
    commit = page.get_by_role("button", name=i18n.t("import.page.commit", "zh"))
    assert commit.count() == 0 or commit.first.is_disabled()
    assert len(wh.batches()) == before + 1  # nothing of the refused file


def test_a_unit_sees_its_own_profile_only_and_files_an_appeal_with_evidence(story, person, tmp_path):
    server, wh = story
    page = person(server, "donghu")
    assert set(nav_paths(page)) <= {"", "profile", "rankings", "appeals"}
    go(page, server, "profile")
    no_exception(page, "profile")
    assert page.get_by_text(f"（{UNIT}）", exact=False).count()
    go(page, server, "profile?unit=S02")  # another unit's URL
    refused = page.locator('[data-testid="stAlertContentError"]')
    refused.first.wait_for()
    assert "S02" in refused.first.inner_text() and "本单位" in refused.first.inner_text()

    evidence = tmp_path / "整改台账.png"
    evidence.write_bytes(png())
    go(page, server, "appeals")
    form = page.locator('[data-testid="stForm"]').filter(has_text=i18n.t("ap.reason", "zh"))
    form.locator("textarea").fill("10月诉求已按时办结，平台统计漏记3件，附工单截图。")
    form.locator('input[type="file"]').set_input_files(str(evidence))
    form.get_by_text(evidence.name).wait_for()
    form.get_by_role("button", name=i18n.t("ap.file_button", "zh")).click()
    page.get_by_text("已提交", exact=False).first.wait_for(timeout=60_000)
    filed = wh.query("SELECT id, unit_code, status, evidence_name, evidence_mime, filed_by FROM appeals")
    assert len(filed) == 1, filed
    row = filed.iloc[0]
    assert (row["unit_code"], row["status"], row["evidence_name"], row["evidence_mime"], row["filed_by"]) == (
        UNIT, "open", evidence.name, "image/png", "donghu")


def test_the_office_accepts_the_appeal_and_the_publication_carries_the_change(story, person):
    from kaohe.metrics import service

    server, wh = story
    draft = service.build(wh, MONTH)
    before = float(draft.totals.set_index("unit_code").loc[UNIT, "total"])
    page = person(server, BROWSER_LOGIN, BROWSER_PASSWORD)
    go(page, server, "appeals")
    aid = int(wh.query("SELECT id FROM appeals").iloc[0]["id"])
    form = page.locator('[data-testid="stForm"]').filter(has=page.locator(f".st-key-ap_verdict_form_{aid}"))
    form.get_by_text(i18n.t("ap.change_score", "zh")).click()
    form.locator(f".st-key-ap_points_form_{aid} input").fill(str(POINTS))
    form.locator(f".st-key-ap_reason_form_{aid} textarea").fill("经核实漏记3件，加分。")
    form.get_by_role("button", name=i18n.t("ap.decide_button", "zh")).click()
    page.get_by_text(f"申诉 #{aid} 已采纳，已记入调整", exact=False).first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert wh.query("SELECT status FROM appeals").iloc[0]["status"] == "accepted"

    publish = page.locator('[data-testid="stForm"]').filter(has=page.locator(".st-key-ap_override_form"))
    publish.locator(".st-key-ap_override_form input").fill("申诉已全部办结，提前结束公示。")
    publish.get_by_role("button", name=i18n.t("ap.publish_button", "zh"), exact=True).click()
    page.get_by_text("已发布", exact=False).first.wait_for(timeout=120_000)
    no_exception(page, "appeals")

    published = service.published_figures(wh, MONTH)
    after = float(published.totals.set_index("unit_code").loc[UNIT, "total"])
    assert after == pytest.approx(before + POINTS)
    notes = wh.query("SELECT notes FROM publications WHERE month = ? ORDER BY revision DESC", [MONTH]).iloc[0, 0]
    assert aid in [a["id"] for a in json.loads(notes)["appeals"]]
