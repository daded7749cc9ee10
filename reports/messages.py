"""Every string the reports print, Chinese first, registered with kaohe.i18n under "report."."""

from __future__ import annotations

from kaohe.base import i18n
from kaohe.base.i18n import pick, t

__all__ = ["pick", "summary_title", "t", "veto_note"]

i18n.register({
    # frame
    "report.generated": ("生成时间 {at}", "Generated {at}"),
    "report.page": ("第 {page} 页 / 共 {pages} 页", "Page {page} of {pages}"),
    "report.page_short": ("第 {page} 页", "Page {page}"),
    "report.no_data": ("无数据", "no data"),
    "report.scorecard": ("绩效考核成绩单", "Performance scorecard"),
    "report.summary": ("月度考核情况通报", "Monthly assessment summary"),
    "report.summary.title.quarter": ("季度考核情况通报", "Quarterly assessment summary"),
    "report.summary.title.year": ("年度考核情况通报", "Annual assessment summary"),
    "report.summary.title.ytd": ("年初至今考核情况通报", "Year-to-date assessment summary"),
    # periods and status
    "report.period.month": ("{label}", "{label}"),
    "report.period.quarter": ("{label}（季度）", "{label} (quarter)"),
    "report.period.year": ("{label}（年度）", "{label} (year)"),
    "report.period.ytd": ("{label}（年初至今）", "{label}"),
    "report.status.published": ("已发布", "Published"),
    "report.status.revision": ("已发布·第 {n} 版（更正）", "Published, revision {n} (corrected)"),
    "report.status.draft": ("草稿（未发布）", "Draft (not published)"),
    "report.status.differs": ("当前数据与已发布结果不同", "Current data differ from the published results"),
    "report.scheme": ("考核方案 {version}", "Scheme {version}"),
    # header and key figures
    "report.unit": ("单位", "Unit"),
    "report.group": ("分类", "Peer group"),
    "report.month": ("考核期", "Period"),
    "report.total": ("总分", "Total score"),
    "report.rank": ("组内排名", "Rank in group"),
    "report.change.same": ("持平", "same"),
    "report.change.prev": ("（上期第 {prev} 名）", "(was {prev})"),
    "report.rank_of": ("第 {rank} 名 / 共 {n} 名", "{rank} of {n}"),
    "report.change": ("较上期", "Change"),
    "report.grade": ("等次", "Grade"),
    "report.base": ("指标得分", "Indicator score"),
    "report.bonus": ("加分", "Bonus"),
    "report.deduction": ("扣分", "Deduction"),
    "report.veto": ("一票否决", "Veto"),
    "report.veto_note": ("一票否决：{reason}（等次封顶）", "Veto: {reason} (grade capped)"),
    "report.veto_capped": ("{reason}（等次封顶）", "{reason} (grade capped)"),
    "report.no_adjustments": ("本期无加分、扣分或否决事项。", "No bonus, deduction or veto items this period."),
    "report.adjustments": ("加减分与否决事项", "Adjustments and veto"),
    "report.adj.kind": ("类型", "Kind"),
    "report.adj.points": ("分值", "Points"),
    "report.adj.reason": ("事由", "Reason"),
    "report.adj.evidence": ("依据", "Evidence"),
    "report.adj.by": ("录入人", "Entered by"),
    "report.adj.bonus": ("加分", "Bonus"),
    "report.adj.deduction": ("扣分", "Deduction"),
    "report.adj.veto": ("否决", "Veto"),
    "report.adj.kind_other": ("其他", "Other"),
    # the scheme's own adjustment, in words: "群众满意度 95.2（条件：≥95）"
    "report.adj.rule_evidence": ("{indicator} {value}（条件：{op}{threshold}）",
                                 "{indicator} {value} (condition: {op} {threshold})"),
    "report.batch.sample": ("示例区数据（随机种子 {seed}）", "sample district data (seed {seed})"),
    "report.batch.sample_plain": ("示例区数据", "sample district data"),
    "report.batch.kind.import": ("文件导入", "file import"),
    "report.batch.kind_other": ("数据批次", "data batch"),
    "report.more": ("等 {n} 个", "and {n} more"),
    "report.list.red": ("红榜", "Red list (top)"),
    "report.list.black": ("黑榜", "Black list (bottom)"),
    "report.list.red_short": ("红榜", "Red"),
    "report.list.black_short": ("黑榜", "Black"),
    "report.col.list": ("红黑榜", "List"),
    # dimensions
    "report.dimensions": ("分维度得分（与同类组中位数比较）", "Dimension scores against the peer-group median"),
    "report.dim.legend_above": ("不低于同类组中位数", "at or above the peer median"),
    "report.dim.legend_below": ("低于同类组中位数", "below the peer median"),
    "report.dim.legend_median": ("同类组中位数", "peer-group median"),
    "report.dim.points": ("{score}（中位数 {median}，权重 {weight}%）", "{score} (median {median}, weight {weight}%)"),
    # indicators
    "report.indicators": ("指标明细", "Indicators"),
    "report.col.indicator": ("指标", "Indicator"),
    "report.col.value": ("数值", "Value"),
    "report.col.fraction": ("分子/分母", "Num./den."),
    "report.col.target": ("目标", "Target"),
    "report.col.rule": ("计分规则", "Rule"),
    "report.col.score": ("得分", "Score"),
    "report.col.weight": ("权重%", "Weight %"),
    "report.col.weight_share": ("权重", "Weight"),
    "report.col.points": ("折算分", "Points"),
    "report.col.peer": ("同类组", "Peer"),
    "report.sig.better": ("显著优于同类", "significantly better than peers"),
    "report.sig.similar": ("与同类无显著差异", "not significantly different"),
    "report.sig.worse": ("显著差于同类", "significantly worse than peers"),
    "report.sig.note": ("颜色依据 95% Wilson 置信区间与同类组数值比较。",
                        "Colours compare the 95% Wilson interval with the peer-group value."),
    "report.status_short.na": ("不适用", "n/a"),
    "report.status_short.missing": ("缺报", "missing"),
    "report.status_short.carried": ("沿用", "carried"),
    "report.lost": ("失分较多的指标", "Where most points were lost"),
    "report.col.lost": ("失分", "Lost"),
    # trend
    "report.trend": ("近 12 个月趋势", "Last 12 months"),
    "report.trend.score": ("总分", "Total score"),
    "report.trend.monthly": ("近 12 个月趋势（月度总分与排名）", "Last 12 months (monthly score and rank)"),
    "report.trend.rank": ("组内排名（越靠上越好）", "Rank in group (top is best)"),
    # notes
    "report.notes": ("说明", "Notes"),
    "report.note.na": ("不适用：{items}。不适用项不计分，其权重按比例分配给同维度其他指标。",
                       "Not applicable: {items}. They are left out and their weight is spread over "
                       "the rest of the dimension."),
    "report.note.missing": ("缺报：{items}。方案处理：{treatment}", "Missing: {items}. Treatment: {treatment}"),
    "report.note.carried": ("沿用上期数值：{items}。", "Last value carried forward: {items}."),
    "report.note.none_missing": ("本期所有适用指标均已报送。", "Every applicable indicator was reported."),
    "report.note.sources": ("数据来源与导入批次：{items}", "Data sources and import batches: {items}"),
    "report.sources": ("数据来源与导入批次", "Data sources and import batches"),
    "report.note.batch": ("#{id} {source}（{at}，{actor}）", "#{id} {source} ({at}, {actor})"),
    "report.note.explain": ("总分 = 各维度（维度得分 × 维度权重）之和 + 加分 − 扣分；否决项封顶等次。",
                            "Total = sum of dimension score x dimension weight, plus bonus, minus deduction; "
                            "a veto caps the grade."),
    # summary
    "report.summary.rankings": ("分类排名", "Rankings by peer group"),
    "report.summary.lists": ("红黑榜", "Red and black lists"),
    "report.summary.alerts": ("预警", "Alerts"),
    "report.summary.no_alerts": ("本期无预警。", "No alerts this period."),
    "report.summary.changes": ("较上月变化", "Changes since last month"),
    "report.summary.changes_period": ("较上期变化", "Changes since the previous period"),
    "report.summary.no_changes": ("排名无明显变化。", "No notable changes in rank."),
    "report.summary.charts": ("重点图表", "Key charts"),
    "report.summary.group_totals": ("各分类总分分布（最高、中位数、最低）", "Total scores by peer group (max, median, min)"),
    "report.summary.trend": ("各分类总分中位数（近 12 个月）", "Median total by peer group, last 12 months"),
    "report.summary.grades": ("等次分布", "Grades"),
    "report.summary.dim_medians": ("各维度同类组中位数", "Dimension medians by peer group"),
    "report.summary.moved": ("{unit}：第 {prev} 名 → 第 {rank} 名", "{unit}: {prev} → {rank}"),
    "report.summary.units": ("共 {n} 个单位参加考核，{groups} 个分类。", "{n} units assessed in {groups} peer groups."),
    "report.col.rank": ("名次", "Rank"),
    "report.col.prev": ("上期名次", "Previous"),
    "report.col.n_in_group": ("同组单位数", "Units in group"),
    "report.col.unit": ("单位", "Unit"),
    "report.col.total": ("总分", "Total"),
    "report.col.change": ("变化", "Change"),
    "report.col.grade": ("等次", "Grade"),
    "report.col.base": ("指标分", "Base"),
    "report.col.adj": ("加/扣分", "Adj."),
    "report.col.group": ("分类", "Group"),
    "report.col.alert": ("预警内容", "Alert"),
    "report.col.veto": ("否决", "Veto"),
    "report.col.code": ("代码", "Code"),
    "report.col.dimension": ("维度", "Dimension"),
    "report.col.indicator_code": ("指标代码", "Indicator code"),
    "report.col.status": ("状态", "Status"),
    "report.col.numerator": ("分子", "Numerator"),
    "report.col.denominator": ("分母", "Denominator"),
    "report.col.ci_low": ("95%区间下限", "95% CI low"),
    "report.col.ci_high": ("95%区间上限", "95% CI high"),
    "report.col.significance": ("与同类比较", "Versus peers"),
    "report.col.treatment": ("处理方式", "Treatment"),
    "report.col.month": ("月份", "Month"),
    "report.col.at": ("录入时间", "Entered at"),
    "report.about.scheme": ("考核方案", "Scheme"),
    "report.about.status": ("发布状态", "Publication"),
    # excel / csv
    "report.sheet.rankings": ("排名", "Rankings"),
    "report.sheet.matrix": ("指标矩阵", "Indicator matrix"),
    "report.sheet.explain": ("得分说明", "Explanations"),
    "report.sheet.adjust": ("加减分", "Adjustments"),
    "report.sheet.about": ("说明", "About"),
    # batch / cli
    "report.progress": ("已完成 {done}/{total}", "{done}/{total} done"),
    "report.written": ("已写入 {path}（{size} KB）", "Wrote {path} ({size} KB)"),
    "report.unknown_unit": ("未知单位：{unit}", "no unit with the code {unit} in the warehouse"),
    "report.no_month": ("仓库中没有 {month} 的数据", "no data for {month} in the warehouse"),
    "report.no_observations": ("仓库中还没有观测数据", "the warehouse holds no observations"),
})


def veto_note(reason: str, lang: str) -> str:
    """The veto line; a veto item entered by hand already starts with "一票否决" / "veto"."""
    reason = reason or ""
    label = t("report.veto", lang)  # the engine states a typed label once (metrics.adjust.veto)
    own = reason.casefold().startswith(label.casefold())
    if lang == "en" and own:
        reason = reason[:1].upper() + reason[1:]  # the engine writes "veto: …" mid-sentence style
    return t("report.veto_capped" if own else "report.veto_note", lang, reason=reason)


def summary_title(period: str, lang: str) -> str:
    """月度/季度/年度…考核情况通报: the summary is named after its period."""
    return t("report.summary" if period == "month" else f"report.summary.title.{period}", lang)
