"""The issuing office's fixed text for the 通报 (reports/bulletin.py): the red header, the issuer, the 文号
pattern, 抄送 and the signature. The district edits it as a setting (`save`, audited); `load` gives the
stored values over the defaults, so the code holds no district's words. Values bound as parameters."""

from __future__ import annotations

import json

from kaohe.base import access
from kaohe.data.warehouse import Warehouse, _audit

# Per language; {year} {seq} {abbr} are filled in the 文号 pattern.
DEFAULTS: dict[str, dict[str, str]] = {
    "zh": {
        "header": "示例区绩效考核工作通报",
        "issuer": "示例区绩效考核工作领导小组办公室",
        "abbr": "示考核办",
        "number": "{abbr}〔{year}〕{seq}号",
        "addressee": "各街道（乡镇）、区直各部门：",
        "closing": "请各单位对照失分项目逐项整改，持续提升工作水平。",
        "cc": "区委办公室，区政府办公室，区纪委监委，区委组织部。",
        "printer": "示例区绩效考核工作领导小组办公室",
    },
    "en": {
        "header": "Sample District Performance Bulletin",
        "issuer": "Performance Assessment Office, Sample District",
        "abbr": "SD-PAO",
        "number": "{abbr} [{year}] No. {seq}",
        "addressee": "To all streets, towns and district departments:",
        "closing": "Every unit is asked to address the items that cost it points, one by one.",
        "cc": "District Party Committee Office; District Government Office; Discipline Inspection Commission; "
              "Organisation Department.",
        "printer": "Performance Assessment Office, Sample District",
    },
}
KEYS = tuple(DEFAULTS["zh"])

_CREATE = """
    CREATE TABLE IF NOT EXISTS office_settings (
        lang VARCHAR NOT NULL,
        key VARCHAR NOT NULL,
        value VARCHAR NOT NULL,
        stored_at TIMESTAMP NOT NULL,
        actor VARCHAR NOT NULL,
        PRIMARY KEY (lang, key))
"""


def load(wh: Warehouse, lang: str = "zh") -> dict[str, str]:
    """The office's text in `lang`: what it stored, else the defaults."""
    out = dict(DEFAULTS.get(lang, DEFAULTS["zh"]))
    with wh.connect() as con:
        exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                             ["office_settings"]).fetchone()[0]
        if exists:
            rows = con.execute("SELECT key, value FROM office_settings WHERE lang = ?", [lang]).fetchall()
            out.update({k: v for k, v in rows if k in KEYS})
    return out


def save(wh: Warehouse, values: dict[str, str], *, lang: str, actor: str) -> None:
    """Store some of the office's text in `lang` (unknown keys are refused with ValueError), audited."""
    access.require(actor, "settings")
    from kaohe.base import clock

    unknown = sorted(set(values) - set(KEYS))
    if unknown:
        raise ValueError(f"unknown office settings: {unknown}")
    now = clock.utcnow()
    with wh.transaction() as con:
        con.execute(_CREATE)
        for key, value in values.items():
            con.execute("DELETE FROM office_settings WHERE lang = ? AND key = ?", [lang, key])
            con.execute("INSERT INTO office_settings VALUES (?, ?, ?, ?, ?)", [lang, key, str(value), now, access.login(actor)])
        _audit(con, actor, "office.settings", f"office {lang}", None, json.loads(json.dumps(values)))
