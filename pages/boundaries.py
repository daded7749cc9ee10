"""区划边界 Boundaries: upload the district's GeoJSON (features keyed by unit code), see what is wrong with it
item by item, and store it for the map (nothing is stored while any feature is refused); and the office's
fixed text of the 通报 (header, 文号 pattern, 抄送 ...), a setting per language."""

import hashlib
import html

import streamlit as st

from kaohe.data import boundaries as store
from kaohe.data import office
from kaohe.metrics import geo
from kaohe.ui import auth
from kaohe.ui.setup import lang, may, page, refusal_text, tr

MAX_BYTES = 20 * 2**20

pg = page("bd.title", needs="any_units", caption_key="bd.caption")
units = pg.all_units
streets = units[units["kind"] == "street"]
saved = store.stored(pg.wh)
if saved:
    st.caption(tr("bd.stored", n=len(saved), of=len(streets)))
elif geo.sample_geometries(units):
    st.caption(tr("bd.sample"))
else:
    st.caption(tr("bd.none"))
can_edit = may("settings", lang())  # boundaries and the office's text are the office's to change

if can_edit:
    upload = st.file_uploader(tr("bd.upload"), type=["geojson", "json"], key="bd_upload")
    if upload is not None:
        raw = upload.getvalue()
        if len(raw) > MAX_BYTES:
            st.error(tr("bd.too_large", mb=MAX_BYTES // 2**20))
            st.stop()
        result = geo.check(raw, units)
        if result.errors:
            st.error(tr("bd.refused", n=len(result.errors)))
            st.html("".join(f"<p>{html.escape(refusal_text(e, lang()))}</p>" for e in result.errors[:200]))
        for w in result.warnings:
            st.warning(html.escape(refusal_text(w, lang())))
        if result.ok:
            st.success(tr("bd.ready", n=len(result.geometries)))
            if st.button(tr("bd.save"), key="bd_save_btn", type="primary"):
                n = store.save(pg.wh, result.geometries, actor=auth.current(), source=upload.name,
                               file_hash=hashlib.sha256(raw).hexdigest())
                st.success(tr("bd.saved", n=n))

# -- the 通报's fixed text: the office's setting, not code (kaohe.data.office) ---------------------------------
st.subheader(tr("bd.office"))
st.caption(tr("bd.office_caption"))
current = office.load(pg.wh, lang())
if can_edit:
    with st.form("bd_office_form"):
        values = {key: st.text_input(tr(f"bd.office.{key}"), value=current[key], key=f"bd_office_{key}_form")
                  for key in office.KEYS}
        if st.form_submit_button(tr("bd.office_save")):
            changed = {k: v.strip() for k, v in values.items() if v.strip() and v.strip() != current[k]}
            if changed:
                office.save(pg.wh, changed, lang=lang(), actor=auth.current())
            st.success(tr("bd.office_saved", n=len(changed)))
