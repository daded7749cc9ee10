"""What changed between two scoring schemes, item by item and in words.

`diff(a, b)` compares two schemes' plain dicts (as their files hold them) and gives the changes as
records: where (section; kind, dimension, indicator; peer group; setting), what (added, removed,
changed), the field, before and after. The order is stable: the scheme's own order (settings, each
kind's dimensions and indicators as `a` has them, then those only `b` has, peer groups, bonus and
deduction, veto, grades, other sections). `words(changes, lang)` says each in the user's language,
e.g. "街道/乡镇·党建引领·GR_COVER：权重 20 → 25".
"""

from __future__ import annotations

import json

from kaohe.base import i18n
from kaohe.base.i18n import t

KINDS = ("street", "department")
_LIST_PARTS = {("adjustments", "rules"), ("veto", "triggers"), ("grades", "bands"), ("grades", "quota")}
_SECTIONS = ("kinds", "groups")


def _change(section: str, what: str, before=None, after=None, **where) -> dict:
    return {"section": section, "what": what, "before": before, "after": after,
            "kind": where.get("kind"), "dimension": where.get("dimension"), "indicator": where.get("indicator"),
            "group": where.get("group"), "field": where.get("field"), "item": where.get("item")}


def _keys(a: dict, b: dict) -> list:
    """The keys of both, in a's order, then b's new ones."""
    return list(a) + [k for k in b if k not in a]


def _fields(a: dict, b: dict, skip=(), prefix: str = "") -> list[tuple[str, object, object]]:
    """(field, before, after) of each field that differs; parameters one by one (params.target)."""
    out = []
    for k in _keys(a, b):
        if k in skip:
            continue
        x, y = a.get(k), b.get(k)
        if k == "params" and isinstance(x, dict | None) and isinstance(y, dict | None) and (x or y):
            out += _fields(x or {}, y or {}, prefix=f"{prefix}params.")
        elif x != y or (k in a) != (k in b):
            out.append((prefix + k, x, y))
    return out


def _settings(a: dict, b: dict) -> dict:
    out = {}
    for k, v in a.items():
        if k in _SECTIONS:
            continue
        if isinstance(v, dict):
            for sub, w in v.items():
                if (k, sub) not in _LIST_PARTS:
                    out[f"{k}.{sub}"] = w
        else:
            out[k] = v
    return out


def diff(a: dict, b: dict) -> list[dict]:
    """The changes from scheme `a` to scheme `b` (plain dicts), in a stable order."""
    changes: list[dict] = []
    sa, sb = _settings(a, {}), _settings(b, {})
    for k in _keys(sa, sb):
        if k not in sa:
            changes.append(_change("settings", "added", None, sb[k], field=k))
        elif k not in sb:
            changes.append(_change("settings", "removed", sa[k], None, field=k))
        elif sa[k] != sb[k]:
            changes.append(_change("settings", "changed", sa[k], sb[k], field=k))
    changes += _kinds(a.get("kinds") or {}, b.get("kinds") or {})
    changes += _groups(a.get("groups") or {}, b.get("groups") or {})
    changes += _items("adjustments", (a.get("adjustments") or {}).get("rules") or [],
                      (b.get("adjustments") or {}).get("rules") or [], ("indicator", "kind"))
    changes += _items("veto", (a.get("veto") or {}).get("triggers") or [],
                      (b.get("veto") or {}).get("triggers") or [], ("indicator",))
    changes += _grades(a.get("grades") or {}, b.get("grades") or {})
    return changes


def _by_code(items) -> dict:
    return {i.get("code"): i for i in items or [] if isinstance(i, dict)}


def _kinds(a: dict, b: dict) -> list[dict]:
    out = []
    order = [k for k in KINDS if k in a or k in b] + [k for k in _keys(a, b) if k not in KINDS]
    for kind in order:
        if kind not in b:
            out.append(_change("kinds", "removed", a[kind], None, kind=kind))
            continue
        if kind not in a:
            out.append(_change("kinds", "added", None, b[kind], kind=kind))
            continue
        out += [_change("kinds", "changed", before, after, kind=kind, field=f)
                for f, before, after in _fields(a[kind], b[kind], skip=("dimensions",))]
        da, db = _by_code(a[kind].get("dimensions")), _by_code(b[kind].get("dimensions"))
        for code in _keys(da, db):
            x, y = da.get(code), db.get(code)
            if y is None:
                out.append(_change("kinds", "removed", x, None, kind=kind, dimension=code))
                continue
            if x is None:
                out.append(_change("kinds", "added", None, y, kind=kind, dimension=code))
                continue
            for f, before, after in _fields(x, y, skip=("code", "indicators")):
                out.append(_change("kinds", "changed", before, after, kind=kind, dimension=code, field=f))
            ia, ib = _by_code(x.get("indicators")), _by_code(y.get("indicators"))
            for ic in _keys(ia, ib):
                p, q = ia.get(ic), ib.get(ic)
                where = {"kind": kind, "dimension": code, "indicator": ic}
                if q is None:
                    out.append(_change("kinds", "removed", p, None, **where))
                elif p is None:
                    out.append(_change("kinds", "added", None, q, **where))
                else:
                    out += [_change("kinds", "changed", before, after, **where, field=f)
                            for f, before, after in _fields(p, q, skip=("code",))]
    return out


def _groups(a: dict, b: dict) -> list[dict]:
    out = []
    for name in _keys(a, b):
        x, y = a.get(name), b.get(name)
        if y is None:
            out.append(_change("groups", "removed", x, None, group=name))
            continue
        if x is None:
            out.append(_change("groups", "added", None, y, group=name))
            continue
        out += [_change("groups", "changed", before, after, group=name, field=f)
                for f, before, after in _fields(x, y, skip=("dimensions", "indicators"))]
        for part, level in (("dimensions", "dimension"), ("indicators", "indicator")):
            pa, pb = x.get(part) or {}, y.get(part) or {}
            for code in _keys(pa, pb):
                where = {"group": name, level: code}
                if code not in pb:
                    out.append(_change("groups", "removed", pa[code], None, **where))
                elif code not in pa:
                    out.append(_change("groups", "added", None, pb[code], **where))
                else:
                    out += [_change("groups", "changed", before, after, **where, field=f)
                            for f, before, after in _fields(pa[code], pb[code])]
    return out


def _items(section: str, a: list, b: list, key: tuple) -> list[dict]:
    """Lists of rules matched by their indicator (and kind): one on each side is changed field by field,
    others are removed and added whole."""
    def ident(item):
        return tuple(item.get(k) for k in key) if isinstance(item, dict) else (json.dumps(item),)

    ka, kb = [ident(i) for i in a], [ident(i) for i in b]
    out = []
    for n, item in enumerate(a):
        k = ka[n]
        if ka.count(k) == 1 and kb.count(k) == 1:
            other = b[kb.index(k)]
            out += [_change(section, "changed", before, after, item=item, field=f)
                    for f, before, after in _fields(item, other)]
        elif item not in b:
            out.append(_change(section, "removed", item, None, item=item))
    for n, item in enumerate(b):
        k = kb[n]
        if not (ka.count(k) == 1 and kb.count(k) == 1) and item not in a:
            out.append(_change(section, "added", None, item, item=item))
    return out


def _grades(a: dict, b: dict) -> list[dict]:
    out = []
    ba = {x.get("grade"): x for x in a.get("bands") or [] if isinstance(x, dict)}
    bb = {x.get("grade"): x for x in b.get("bands") or [] if isinstance(x, dict)}
    for g in _keys(ba, bb):
        if g not in bb:
            out.append(_change("grades", "removed", ba[g], None, item=ba[g]))
        elif g not in ba:
            out.append(_change("grades", "added", None, bb[g], item=bb[g]))
        elif ba[g] != bb[g]:
            out.append(_change("grades", "changed", ba[g].get("min"), bb[g].get("min"), item=bb[g], field="min"))
    qa, qb = a.get("quota") or {}, b.get("quota") or {}
    for g in _keys(qa, qb):
        if qa.get(g) != qb.get(g):
            out.append(_change("grades", "changed", qa.get(g), qb.get(g), item={"grade": g}, field="quota"))
    for k in _keys(a, b):
        if k not in ("bands", "quota") and a.get(k) != b.get(k):
            out.append(_change("grades", "changed", a.get(k), b.get(k), field=k))
    return out


# -- in words --------------------------------------------------------------------------------------
def _shown(value, lang) -> str:
    if value is None:
        return t("scoring.cli.none", lang)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int | str):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _field(name: str, lang) -> str:
    if name.startswith("params."):
        return t("diff.param", lang, name=name.split(".", 1)[1])
    last = name.rsplit(".", 1)[-1]
    for key in (f"book.setting.{name.replace('.', '_')}", f"book.col.{last}" if last == "quota" else "",
                f"scoring.scheme.field.{last}"):
        if i18n.has(key):
            return t(key, lang)
    return name


def _grade(g, lang) -> str:
    return t(f"scoring.grade.{g}", lang) if g in ("excellent", "good", "pass", "fail") else str(g)


def _kind(kind, lang) -> str:
    return t(f"kind.{kind}", lang) if kind in KINDS else str(kind)


def _dim_name(dims: dict, kind, code, lang) -> str:
    dim = dims.get((kind, code)) or {}
    return i18n.pick(dim.get("name_zh"), dim.get("name_en"), lang) or str(code)


def words(changes: list[dict], lang: str | None = None, *, a: dict | None = None, b: dict | None = None,
          names: dict[str, str] | None = None) -> list[str]:
    """Each change in words in `lang` (zh by default), in the order given. `a`/`b` (the two schemes)
    give dimensions their names; `names` ({code: name}) gives indicators theirs, else their codes."""
    if not changes:
        return [t("diff.none", lang)]
    dims = {}
    for s in (b, a):
        for kind, section in ((s or {}).get("kinds") or {}).items():
            for d in (section or {}).get("dimensions") or []:
                dims.setdefault((kind, d.get("code")), d)
    names = names or {}
    sep = t("diff.sep", lang)
    out = []
    for c in changes:
        sec, what = c["section"], c["what"]
        value = c["after"] if what == "added" else c["before"]
        if sec == "settings":
            where = t("book.sheet.scheme", lang)
            thing = t("diff.what.setting", lang, name=_field(c["field"], lang), value=_shown(value, lang))
        elif sec == "kinds":
            parts = [_kind(c["kind"], lang)]
            if c["dimension"] is not None:
                parts.append(_dim_name(dims, c["kind"], c["dimension"], lang))
            if c["indicator"] is not None:
                parts.append(names.get(c["indicator"]) or str(c["indicator"]))
            if what == "changed":
                where = sep.join(parts)
            elif c["indicator"] is not None:
                where = sep.join(parts[:-1])
                thing = t("diff.what.indicator", lang, code=parts[-1])
            elif c["dimension"] is not None:
                where = sep.join(parts[:-1])
                thing = t("diff.what.dimension", lang, name=parts[-1])
            else:
                where = t("scoring.scheme.field.kinds", lang)
                thing = t("diff.what.kind", lang, kind=parts[0])
        elif sec == "groups":
            code = c["indicator"] or c["dimension"]
            if code is None:
                where = t("book.sheet.groups", lang) if what != "changed" else \
                    t("diff.where.group", lang, group=c["group"])
                thing = t("diff.what.group", lang, group=c["group"])
            else:
                where = t("diff.where.group", lang, group=c["group"])
                if what == "changed":
                    where = sep.join([where, names.get(code) or str(code)])
                thing = t("diff.what.override", lang, code=code)
        else:
            where = t(f"book.sheet.{sec}", lang)  # book.sheet.adjustments, .veto, .grades
            item = c.get("item") or {}
            if sec == "grades" and "grade" in item:
                label = _grade(item["grade"], lang)
                thing = t("diff.what.band", lang, grade=label, min=_shown(item.get("min"), lang))
                if what == "changed":
                    where = sep.join([where, label])
            elif isinstance(item, dict) and "indicator" in item:
                head = item["indicator"] if sec == "veto" else \
                    f"{t('scoring.cli.lv.' + item['kind'], lang) if item.get('kind') in ('bonus', 'deduction') else item.get('kind')} {item['indicator']}"
                thing = t("diff.what.item", lang, item=f"{head} {item.get('op', '')} {_shown(item.get('value'), lang)}")
                if what == "changed":
                    where = sep.join([where, head])
            else:
                thing = t("diff.what.item", lang, item=_shown(item or value, lang))
        if what == "changed":
            out.append(t("diff.changed", lang, where=where, field=_field(c["field"], lang),
                         before=_shown(c["before"], lang), after=_shown(c["after"], lang)))
        else:
            out.append(t(f"diff.{what}", lang, where=where, what=thing))
    return out
