"""公示 → 申诉 → 发布: make a month's draft results known with a deadline, let each unit appeal its own
figures with evidence, decide every appeal, then publish.

    open_publicity(wh, month, *, period="month", days=None, deadline=None, actor, lang=None) -> dict
        ("publicity") the deadline is `deadline`, else today + `days`, else today + the scheme's
        publicity.days (default 5); refused: a published month, one already on notice, a past deadline
    file_appeal(wh, month, unit_code, *, indicator_code=None, item=None, reason, evidence=None,
                evidence_name=None, actor) -> int
        ("appeal.file", the unit's own only) while 公示 is open and today <= its deadline; evidence
        PDF/PNG/JPEG by its first bytes (not its name), at most MAX_EVIDENCE bytes
    decide(wh, appeal_id, *, accept, reason, points=None, kind=None, actor, lang=None) -> Decision
        ("appeal.decide") an accept with points and kind makes an adjustment (metrics.service) whose
        reason is «申诉 #N：…»; an accept without them records that no change was needed
    withdraw(wh, appeal_id, *, actor) -> None        (the filing unit, while open)
    list_appeals(wh, actor, status=None, month=None) -> DataFrame   (a unit: its own only)
    evidence(wh, appeal_id, *, actor) -> (name, mime, bytes)
    status(wh, month, period="month") -> dict | None  the open 公示 of the period
    publish(wh, month, *, actor, reason=None, override_reason=None, period="month") -> int
        ("publish") metrics.publish.publish with the appeals gate (see there)

Every refusal is an AppealError (or access.Forbidden) in words, raised before anything is written.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass

import pandas as pd

from kaohe.base import access, clock, i18n
from kaohe.base import months as mo
from kaohe.data import appeals as store
from kaohe.data import scoring_store
from kaohe.data.warehouse import Refusal
from kaohe.metrics import periods

MAX_EVIDENCE = 5 * 2**20  # 5 MiB
MAGIC = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))
DEFAULT_DAYS = 5
ADJ_KINDS = ("bonus", "deduction", "veto")


class AppealError(Refusal, ValueError):
    """A 公示 or appeal request refused in words; nothing was written."""


def _ready(wh) -> None:
    scoring_store.ready(wh)


def status_word(status: str):
    return lambda lang: i18n.t(f"ap.status.{status}", lang)


# -- 公示 ---------------------------------------------------------------------------------------------------
def scheme_publicity(wh, month: str) -> dict:
    """The publicity settings of the scheme in force for `month`: days, channel_zh, channel_en."""
    from kaohe.metrics import service

    out = {"days": DEFAULT_DAYS, "channel_zh": "", "channel_en": ""}
    try:
        data = service.current_scheme(wh, month[:4]).data
    except Refusal:  # no scheme stored yet: the defaults
        return out
    out.update({k: v for k, v in (data.get("publicity") or {}).items() if k in out})
    return out


def channel_text(p: dict, lang: str | None) -> str:
    text = i18n.pick(p.get("channel_zh") or "", p.get("channel_en") or "", lang)
    return text or p.get("channel_zh") or ""


def _deadline(value) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise AppealError("ap.err.bad_deadline", value=str(value)) from None


def open_publicity(wh, month: str, *, period: str = "month", days: int | None = None, deadline=None,
                   note: str | None = None, actor) -> dict:
    """Open 公示 for (month, period); returns the stored row (id, deadline, channel ...)."""
    who = access.require(actor, "publicity")
    mo.check(month)
    periods.check(period)
    _ready(wh)
    if not scoring_store.publications(wh, month, period).empty:
        raise AppealError("ap.err.published", month=month)
    current = store.current_publicity(wh, month, period)
    if current is not None:
        raise AppealError("ap.err.already_open", month=month, deadline=str(current["deadline"])[:10])
    today = clock.today()
    settings = scheme_publicity(wh, month)
    if deadline is not None and str(deadline).strip():
        end = _deadline(deadline)
    else:
        n = settings["days"] if days is None else days
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 60:
            raise AppealError("ap.err.bad_days")
        end = today + _dt.timedelta(days=n)
    if end < today:
        raise AppealError("ap.err.deadline_past", deadline=end.isoformat(), today=today.isoformat())
    channel = "\n".join(x for x in (settings["channel_zh"], settings["channel_en"]) if x) or None
    pid = store.open_publicity(wh, month, period, end, channel, (note or "").strip() or None, who)
    if pid is None:  # opened by someone else meanwhile
        cur = store.current_publicity(wh, month, period)
        raise AppealError("ap.err.already_open", month=month, deadline=str(cur["deadline"])[:10] if cur else "")
    return store.current_publicity(wh, month, period)


def status(wh, month: str, period: str = "month") -> dict | None:
    """The open 公示 of (month, period) with its deadline (a date), the scheme's channel texts and
    whether the deadline has passed; None when the period is not on notice."""
    _ready(wh)
    row = store.current_publicity(wh, month, period)
    if row is None:
        return None
    row["deadline"] = _deadline(str(row["deadline"])[:10])
    row["passed"] = clock.today() > row["deadline"]
    row.update({k: v for k, v in scheme_publicity(wh, month).items() if k.startswith("channel")})
    return row


def open_notices(wh) -> pd.DataFrame:
    """Every open 公示, newest first."""
    _ready(wh)
    return store.publicity(wh, open_only=True)


# -- appeals -----------------------------------------------------------------------------------------------
def sniff(head: bytes) -> str | None:
    """The evidence's type from its first bytes (PDF, PNG, JPEG), never from its name."""
    for magic, mime in MAGIC:
        if head.startswith(magic):
            return mime
    return None


def read_evidence(evidence, name: str | None) -> tuple[bytes, str]:
    """The evidence's bytes and type, or a refusal in words: too large (checked before more than the
    limit is read from a file object), empty, or not a PDF/PNG/JPEG by its content."""
    shown = (name or "").strip() or "—"
    if hasattr(evidence, "read"):  # a file object: never read more than the limit and one byte
        size = getattr(evidence, "size", None)
        if isinstance(size, int) and size > MAX_EVIDENCE:
            raise AppealError("ap.err.evidence_size", name=shown, mb=MAX_EVIDENCE // 2**20)
        data = evidence.read(MAX_EVIDENCE + 1)
    else:
        data = bytes(evidence)
    if len(data) > MAX_EVIDENCE:
        raise AppealError("ap.err.evidence_size", name=shown, mb=MAX_EVIDENCE // 2**20)
    if not data:
        raise AppealError("ap.err.evidence_empty", name=shown)
    mime = sniff(data[:16])
    if mime is None:
        raise AppealError("ap.err.evidence_type", name=shown)
    return data, mime


def _unit_row(wh, unit_code: str) -> dict:
    units = wh.units()
    row = units.loc[units["code"].astype(str).eq(str(unit_code))]
    if row.empty:
        raise AppealError("ap.err.unknown_unit", unit=str(unit_code))
    return row.iloc[0].to_dict()


def _applies(wh, indicator_code: str, unit: dict) -> bool:
    cat = wh.indicators(active_only=True)
    row = cat.loc[cat["code"].astype(str).eq(str(indicator_code))]
    return not row.empty and row.iloc[0]["applies_to"] in ("both", unit["kind"])


def file_appeal(wh, month: str, unit_code: str, *, indicator_code: str | None = None, item: str | None = None,
                reason: str, evidence=None, evidence_name: str | None = None, period: str = "month",
                actor) -> int:
    """File an appeal for the actor's own unit while (month, period) is on notice; returns its id."""
    who = access.require_unit(actor, unit_code, "appeal.file")
    mo.check(month)
    periods.check(period)
    _ready(wh)
    notice = store.current_publicity(wh, month, period)
    if notice is None:
        raise AppealError("ap.err.not_open", month=month)
    deadline = _deadline(str(notice["deadline"])[:10])
    if clock.today() > deadline:
        raise AppealError("ap.err.deadline_passed", month=month, deadline=deadline.isoformat())
    unit = _unit_row(wh, unit_code)
    code = (indicator_code or "").strip() or None
    what = (item or "").strip() or None
    if code is None and what is None:
        raise AppealError("ap.err.no_target")
    if code is not None and what is not None:
        raise AppealError("ap.err.both_targets")
    if code is not None and not _applies(wh, code, unit):
        raise AppealError("ap.err.unknown_indicator", code=code, unit=str(unit_code))
    why = (reason or "").strip()
    if not why:
        raise AppealError("ap.err.no_reason")
    data = mime = digest = name = None
    if evidence is not None:
        data, mime = read_evidence(evidence, evidence_name)
        digest = hashlib.sha256(data).hexdigest()
        name = (evidence_name or "").strip() or None
    aid = store.file_appeal(wh, publicity_id=int(notice["id"]), month=month, period=period, unit_code=str(unit_code),
                            indicator_code=code, item=what, reason=why, evidence=data, evidence_name=name,
                            evidence_mime=mime, evidence_sha256=digest, actor=who)
    if aid is None:  # the 公示 closed (published) meanwhile
        raise AppealError("ap.err.not_open", month=month)
    return aid


def _open_appeal(wh, appeal_id) -> dict:
    try:
        aid = int(appeal_id)
    except (TypeError, ValueError):
        raise AppealError("ap.err.unknown_appeal", id=str(appeal_id)) from None
    row = store.appeal(wh, aid)
    if row is None:
        raise AppealError("ap.err.unknown_appeal", id=aid)
    if row["status"] != "open":
        raise AppealError("ap.err.not_open_appeal", id=aid, status=status_word(row["status"]))
    return row


@dataclass(frozen=True)
class Decision:
    appeal_id: int
    status: str
    adj_id: int | None = None

    def text(self, lang: str | None = None) -> str:
        if self.status == "rejected":
            return i18n.t("ap.decided.rejected", lang, id=self.appeal_id)
        if self.adj_id is None:
            return i18n.t("ap.decided.no_change", lang, id=self.appeal_id)
        return i18n.t("ap.decided.adjusted", lang, id=self.appeal_id, adj=self.adj_id)


def decide(wh, appeal_id, *, accept: bool, reason: str, points=None, kind: str | None = None, actor,
           lang: str | None = None) -> Decision:
    """Accept or reject an open appeal. Both need a reason (the decision the unit reads). An accept with
    points and kind makes the adjustment (bonus / deduction / veto) with «申诉 #N：reason» as its reason
    (in `lang`); an accept without them records that the figures need no change."""
    who = access.require(actor, "appeal.decide")
    _ready(wh)
    row = _open_appeal(wh, appeal_id)
    aid = int(row["id"])
    why = (reason or "").strip()
    if not why:
        raise AppealError("ap.err.decision_reason")
    adj_id = None
    has_points = points is not None and str(points).strip() != ""
    if not accept:
        if has_points or kind:
            raise AppealError("ap.err.reject_points")
    elif has_points or kind:
        if not (has_points and kind):
            raise AppealError("ap.err.points_kind")
        if kind not in ADJ_KINDS:
            raise AppealError("ap.err.points_kind")
        from kaohe.metrics import service

        text = i18n.t("ap.adj_reason", lang, id=aid, reason=why)
        correction = text if service.published_covering(wh, row["month"]) else None
        evidence = f"{row['evidence_name']} sha256:{row['evidence_sha256']}" if row.get("evidence_sha256") else None
        adj_id = service.add_adjustment(wh, row["unit_code"], row["month"], kind, points, text, evidence, who,
                                        correction_reason=correction)
    status_ = "accepted" if accept else "rejected"
    if not store.set_status(wh, aid, status_, why, who, adj_id=adj_id,
                            points=float(points) if adj_id is not None else None, kind=kind if adj_id else None):
        if adj_id is not None:  # decided by someone else meanwhile: the adjustment made here is taken back
            scoring_store.revoke_adjustment(wh, adj_id, who, i18n.t("ap.adj_undone", lang, id=aid))
        fresh = store.appeal(wh, aid) or {"status": "open"}
        raise AppealError("ap.err.not_open_appeal", id=aid, status=status_word(fresh["status"]))
    return Decision(aid, status_, adj_id)


def withdraw(wh, appeal_id, *, actor) -> None:
    """The filing unit takes back its open appeal."""
    access.require(actor, "appeal.file")
    _ready(wh)
    row = _open_appeal(wh, appeal_id)
    who = access.require_unit(actor, row["unit_code"], "appeal.file")
    if not store.set_status(wh, int(row["id"]), "withdrawn", None, who):
        fresh = store.appeal(wh, int(row["id"])) or {"status": "open"}
        raise AppealError("ap.err.not_open_appeal", id=int(row["id"]), status=status_word(fresh["status"]))


def list_appeals(wh, actor, status: str | None = None, month: str | None = None) -> pd.DataFrame:
    """Appeals (no evidence bytes) oldest first: a unit's account sees its own unit's only."""
    access.require(actor, "appeal.view")
    who = access.principal(actor)
    if status is not None and status not in store.STATUSES:
        raise AppealError("ap.err.bad_status", status=str(status), known=", ".join(store.STATUSES))
    if month is not None:
        mo.check(month)
    _ready(wh)
    unit = None
    if who.role == "unit":
        unit = str(who.unit_code or "\0")  # an account without a unit sees none
    return store.appeals(wh, unit_code=unit, status=status, month=month)


def get_appeal(wh, appeal_id, *, actor) -> dict:
    access.require(actor, "appeal.view")
    _ready(wh)
    row = store.appeal(wh, int(appeal_id))
    if row is None:
        raise AppealError("ap.err.unknown_appeal", id=str(appeal_id))
    access.require_unit(actor, row["unit_code"], "appeal.view")
    return row


def evidence(wh, appeal_id, *, actor) -> tuple[str | None, str | None, bytes | None]:
    """An appeal's evidence (name, mime, bytes) for those who may see the appeal."""
    get_appeal(wh, appeal_id, actor=actor)
    return store.evidence(wh, int(appeal_id))


# -- publishing -------------------------------------------------------------------------------------------
def publish(wh, month: str, *, actor, reason: str | None = None, override_reason: str | None = None,
            period: str = "month") -> int:
    """Publish (metrics.publish.publish, the service's build) with the appeals gate; `override_reason`
    says why the month is published while appeals are open or before the 公示 deadline."""
    from kaohe.metrics import publish as pub
    from kaohe.metrics import service

    who = access.require(actor, "publish")
    return pub.publish(wh, month, who, reason, period, build=service.build_with_inputs,
                       override_reason=override_reason)
