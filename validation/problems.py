"""Every problem an import can have: its severity, its kind, and its words (zh, en).

A problem is a row: check (the message key), severity, kind, the file's row
number, the column as the file names it, the cell's value, and parameters for
the message. Words are rendered only when a person reads the report.
"""

from __future__ import annotations

import pandas as pd

from kaohe.base import i18n

ERROR, WARNING, INFO = "error", "warning", "info"
PROBLEM_COLUMNS = ["check", "severity", "kind", "row", "column", "value", "params"]

# check -> (severity, kind, problem (zh, en), expected (zh, en), how to fix (zh, en))
CHECKS: dict[str, tuple[str, str, tuple[str, str], tuple[str, str], tuple[str, str]]] = {
    # the file as a whole
    "val.file_empty": (ERROR, "file", ("文件是空的", "The file is empty"),
                       ("含表头和数据的表格", "a table with a header and data"),
                       ("请从业务系统重新导出该文件", "Export the file again from the source system")),
    "val.file_binary": (ERROR, "file", ("文件不是文本表格（可能是其他格式的文件被改了扩展名）",
                                        "The file is not a text table (perhaps another format renamed)"),
                        ("CSV、TSV 或 XLSX 表格", "a CSV, TSV or XLSX table"),
                        ("请上传业务系统导出的原始 CSV 或 Excel 文件", "Upload the CSV or Excel file the system exported")),
    "val.file_encoding": (ERROR, "file", ("无法识别文件编码", "The file's encoding is not recognised"),
                          ("UTF-8 或 GBK/GB18030 编码", "UTF-8 or GBK/GB18030"),
                          ("用 Excel 另存为「CSV UTF-8」后重新上传", "Save it from Excel as \"CSV UTF-8\" and upload again")),
    "val.file_mixed_encoding": (ERROR, "file",
                                ("文件混用了两种编码：第 {utf8_row} 行是 UTF-8，第 {gbk_row} 行是 GBK",
                                 "The file mixes encodings: row {utf8_row} is UTF-8, row {gbk_row} is GBK"),
                                ("全文件同一种编码", "one encoding for the whole file"),
                                ("不要把不同系统导出的文本拼接在一起；请分别导入或统一另存为 UTF-8",
                                 "Do not paste exports of different systems together; import them separately "
                                 "or save all as UTF-8")),
    "val.file_xls": (ERROR, "file", ("不支持旧版 Excel（.xls）格式", "Old Excel (.xls) files are not supported"),
                     (".xlsx 或 .csv", ".xlsx or .csv"),
                     ("在 Excel 中另存为 .xlsx 后重新上传", "Save it as .xlsx in Excel and upload again")),
    "val.file_format": (ERROR, "file", ("不支持的文件类型 {suffix}", "Unsupported file type {suffix}"),
                        (".csv、.tsv 或 .xlsx", ".csv, .tsv or .xlsx"),
                        ("请上传 CSV 或 Excel 文件", "Upload a CSV or Excel file")),
    "val.file_bad_xlsx": (ERROR, "file", ("Excel 文件已损坏或不是 .xlsx 文件", "The Excel file is damaged or not .xlsx"),
                          ("可以用 Excel 打开的 .xlsx 文件", "an .xlsx file that Excel opens"),
                          ("用 Excel 打开并重新保存，或重新导出", "Open and save it in Excel again, or export it again")),
    "val.file_no_sheet": (ERROR, "file", ("工作簿中没有名为「{sheet}」的工作表", "The workbook has no sheet \"{sheet}\""),
                          ("已有工作表：{sheets}", "sheets present: {sheets}"),
                          ("检查工作表名称", "Check the sheet name")),
    "val.file_sheet_no_table": (ERROR, "file", ("第一个工作表「{sheet}」中没有可识别的数据表",
                                                "The first sheet, \"{sheet}\", holds no table that could be read"),
                                ("数据所在的工作表（本工作簿还有：{others_zh}）",
                                 "the sheet with the data (the workbook also has: {others_en})"),
                                ("在页面「Excel 工作表名称」或命令行 --sheet 指定数据所在的工作表",
                                 "Name the data's sheet on the page (Excel sheet) or with --sheet")),
    "val.file_too_large": (ERROR, "file", ("文件过大（{size_mb:.1f} MB），上限 {limit_mb:.0f} MB",
                                           "The file is too large ({size_mb:.1f} MB); the limit is {limit_mb:.0f} MB"),
                           ("不超过 {limit_mb:.0f} MB", "at most {limit_mb:.0f} MB"),
                           ("按月份拆分文件，或用命令行 `kaohe import` 导入历史数据",
                            "Split the file by month, or load history with `kaohe import` on the command line")),
    "val.file_no_header": (ERROR, "structure", ("找不到表头：没有一行包含可识别的列名",
                                                "No header found: no row has recognisable column names"),
                           ("含「单位」及指标名称或「指标」「数值」等列名的表头行",
                            "a header row with 单位/unit and indicator names, or indicator and value columns"),
                           ("检查列名是否与指标目录一致（可用指标代码、中文名称或「名称（单位）」）",
                            "Use indicator codes, Chinese names, or \"name (unit)\" as column names")),
    "val.file_layout": (ERROR, "structure", ("看不出表格的布局", "The table's layout is not recognised"),
                        ("长表（单位、指标、月份、数值各一列）或宽表（每个指标一列）",
                         "long (unit, indicator, month, value columns) or wide (one column per indicator)"),
                        ("检查指标列名是否与指标目录一致", "Check that indicator columns use catalogue names or codes")),
    "val.file_no_unit_column": (ERROR, "structure", ("缺少单位列", "There is no unit column"),
                                ("一列「单位」「单位名称」「街道（乡镇）」或 unit_code", "a column 单位 / unit / unit_code"),
                                ("在表头加上单位列", "Add a unit column to the header")),
    "val.file_no_month": (ERROR, "structure", ("不知道数据属于哪个月份", "The month of the data is not known"),
                          ("「月份」列、标题中的月份（如「2026年10月…」），或导入时指定月份",
                           "a month column, a month in the title (e.g. \"2026年10月...\"), or a month given at import"),
                          ("加一列「月份」，或在页面/命令行（--month）指定月份",
                           "Add a month column, or give the month on the page or with --month")),
    "val.file_no_rows": (ERROR, "structure", ("表格只有表头，没有数据行", "The table has a header but no data rows"),
                         ("至少一行数据", "at least one data row"), ("检查导出条件是否选对了月份和单位",
                                                                  "Check the month and units chosen in the export")),
    "val.file_duplicate": (ERROR, "file", ("同一个文件已于 {when} 导入（批次 {batch_id}）",
                                           "This same file was imported on {when} (batch {batch_id})"),
                           ("未导入过的文件", "a file not imported before"),
                           ("无需重复导入；如需更正，请先回滚批次 {batch_id} 或上传修改后的文件",
                            "Nothing to do; to correct it, roll back batch {batch_id} or upload the corrected file")),
    # the file as a whole: what it really is, and the limits (ingest.limits) it is held to before parsing
    "val.file_encrypted": (ERROR, "file", ("这是加密的工作簿（设有打开密码），无法读取，并非文件损坏",
                                           "The workbook is encrypted (it has a password to open); it is not damaged"),
                           ("未加密的 .xlsx 文件", "an .xlsx file without a password"),
                           ("加密的工作簿：请在 Excel 中打开，取消密码（文件—信息—保护工作簿—用密码进行加密，清空密码）"
                            "后另存为 .xlsx 再上传",
                            "Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with "
                            "Password, clear it) and save it as .xlsx again")),
    "val.file_not_workbook": (ERROR, "file", ("文件的实际类型：{what_zh}；不是 Excel 工作簿（.xlsx），也不是 CSV 表格",
                                              "The file is {what_en}, not an Excel workbook (.xlsx) or a CSV table"),
                              (".xlsx、.csv 或 .tsv 表格", "an .xlsx, .csv or .tsv table"),
                              ("用原来的程序打开，另存为 .xlsx 或「CSV UTF-8」后重新上传",
                               "Open it in its own program and save it as .xlsx or \"CSV UTF-8\"")),
    "val.file_encoding_unsupported": (ERROR, "file", ("文件编码不受支持：看起来是 {looks_zh}",
                                                      "The file's encoding is not supported: it looks like {looks_en}"),
                                      ("UTF-8 或 GBK/GB18030 编码", "UTF-8 or GBK/GB18030"),
                                      ("用记事本或 Excel 打开，另存为 UTF-8（Excel 中选「CSV UTF-8」）或 GBK 编码后重新上传",
                                       "Open it in a text editor or Excel and save it as UTF-8 (Excel: \"CSV UTF-8\") "
                                       "or GBK, then upload again")),
    "val.file_garbled": (ERROR, "file", ("第 {row} 行有乱码（{char}）：文件曾按错误的编码打开并保存，文字已损坏",
                                         "Row {row} holds garbled text ({char}): the file was once opened in the wrong "
                                         "encoding and saved, and its text is damaged"),
                         ("未经转换的原始导出文件", "the original export, never re-encoded"),
                         ("从业务系统重新导出原始文件，不要用其他编码打开后再保存",
                          "Export the file again from the source system; do not open and save it in another encoding")),
    "val.file_nul": (ERROR, "file", ("文件第 {row} 行含 NUL 字节（二进制内容），不是纯文本表格；问题不在该行的数字",
                                     "Row {row} of the file contains a NUL byte (binary content): it is not a plain "
                                     "text table; the row's numbers are not the problem"),
                     ("只含文字的 CSV/TSV 文件", "a CSV/TSV file of text only"),
                     ("文件可能已损坏或混入了其他文件的内容；请从业务系统重新导出，或用 Excel 打开后另存为「CSV UTF-8」",
                      "The file may be damaged or have another file's bytes in it; export it again, or open it in "
                      "Excel and save it as \"CSV UTF-8\"")),
    "val.file_csv_broken": (ERROR, "file", ("第 {row} 行无法按 CSV 读取（{detail}）",
                                            "Row {row} cannot be read as CSV ({detail})"),
                            ("格式规范的 CSV（引号成对）", "well-formed CSV (quotes in pairs)"),
                            ("检查该行的引号和分隔符，或用 Excel 打开后另存为「CSV UTF-8」",
                             "Check the row's quotes and separators, or save it from Excel as \"CSV UTF-8\"")),
    "val.file_no_visible_sheet": (ERROR, "file", ("工作簿中所有工作表都是隐藏的（{sheets_zh}）",
                                                  "Every sheet of the workbook is hidden ({sheets_en})"),
                                  ("一个可见的数据工作表", "a visible sheet with the data"),
                                  ("在 Excel 中取消隐藏数据所在的工作表并核对，或用「Excel 工作表名称」/ --sheet 指定",
                                   "Unhide the data's sheet in Excel and check it, or name it (Excel sheet / --sheet)")),
    "val.sheet_hidden_skipped": (INFO, "file", ("已跳过隐藏的工作表 {hidden_zh}（在 Excel 中看不到），"
                                                "读取的是第一个可见工作表「{sheet}」",
                                                "Hidden sheets skipped ({hidden_en}: not visible in Excel); the first "
                                                "visible sheet, \"{sheet}\", was read"),
                                 ("数据在可见的工作表中", "the data on a visible sheet"),
                                 ("如数据在隐藏的工作表中，请取消隐藏并核对，或指定该工作表",
                                  "If the data is on a hidden sheet, unhide and check it, or name that sheet")),
    "val.sheet_hidden_named": (WARNING, "file", ("工作表「{sheet}」是隐藏的：评审人在 Excel 中看不到它，却将被导入",
                                                 "Sheet \"{sheet}\" is hidden: nobody sees it in Excel, yet it is what "
                                                 "would be imported"),
                               ("可见的工作表", "a visible sheet"),
                               ("在 Excel 中取消隐藏该工作表并核对数据，确认无误后再导入",
                                "Unhide the sheet in Excel and check its data before importing it")),
    "val.row_hidden": (ERROR, "file", ("隐藏的行：在 Excel 中看不到，却会被导入",
                                       "A hidden row: not visible in Excel, yet it would be imported"),
                       ("所有数据行都可见", "every data row visible"),
                       ("取消隐藏并核对，或删除这些行", "Unhide and check these rows, or delete them")),
    "val.column_hidden": (ERROR, "file", ("隐藏的列：在 Excel 中看不到，却会被导入",
                                          "A hidden column: not visible in Excel, yet it would be imported"),
                          ("所有数据列都可见", "every data column visible"),
                          ("取消隐藏并核对，或删除这些列", "Unhide and check these columns, or delete them")),
    "val.cell_format_hidden": (ERROR, "file", ("单元格的数字格式（三个分号）把值隐藏了：在 Excel 中看不到，却会被导入",
                                               "The cell's number format (;;;) hides its value: not visible in Excel, "
                                               "yet it would be imported"),
                               ("显示出来的值", "a value that shows"),
                               ("把该单元格的格式改为「常规」并核对数值，或删除它",
                                "Set the cell's format to General and check the value, or delete it")),
    "val.cell_invisible": (ERROR, "file", ("单元格含不可见字符（{chars}），已标为 [U+…]：看起来相同的名称实际不同",
                                           "The cell holds invisible characters ({chars}), shown as [U+...]: a name that "
                                           "looks right is not the same name"),
                           ("只含可见文字的单元格", "a cell of visible text only"),
                           ("删除这些不可见字符（Excel 中可用查找替换或 CLEAN 函数）后重新保存",
                            "Delete the invisible characters (Find & Replace or CLEAN in Excel) and save again")),
    "val.cell_lookalike": (ERROR, "file", ("单元格混有形似拉丁字母的希腊/西里尔字母（{letters}，{chars}），已标为 [U+…]：看起来相同的代码或名称实际不同",
                                           "The cell mixes Greek/Cyrillic letters that look Latin ({letters}, {chars}) "
                                           "into Latin text, shown as [U+...]: a code that looks right is not the same"),
                           ("只用拉丁字母（A–Z）的代码", "codes in Latin letters (A-Z) only"),
                           ("用英文输入法重新输入这些字母后保存", "Type these letters again with a Latin keyboard and save")),
    "val.file_more_items": (ERROR, "file", ("另有 {n} 处同类问题未逐一列出：{what_zh}",
                                            "{n} more of the same are not listed: {what_en}"),
                            ("无此类问题", "none of these"), ("按上面列出的同类问题逐一修改",
                                                          "Fix them as the ones listed above")),
    "val.file_too_many_rows": (ERROR, "file", ("文件有 {n} 行以上，超过上限 {limit} 行",
                                               "The file has {n} rows or more; the limit is {limit} rows"),
                               ("不超过 {limit} 行", "at most {limit} rows"),
                               ("按年份或月份拆分文件后分别导入", "Split the file by year or month and import each part")),
    "val.file_too_many_columns": (ERROR, "file", ("第 {row} 行有 {n} 列，超过上限 {limit} 列",
                                                  "Row {row} has {n} columns; the limit is {limit}"),
                                  ("不超过 {limit} 列", "at most {limit} columns"),
                                  ("删除多余的列；如列数不应这么多，检查分隔符是否正确、是否缺少换行",
                                   "Delete the extra columns; if there should not be so many, check the separators "
                                   "and line breaks")),
    "val.file_too_many_cells": (ERROR, "file", ("文件约有 {n} 个单元格，超过上限 {limit} 个",
                                                "The file has about {n} cells; the limit is {limit}"),
                                ("不超过 {limit} 个单元格", "at most {limit} cells"),
                                ("删除多余的行和列，或按月份拆分文件；历史数据请用命令行 `kaohe import` 导入",
                                 "Delete extra rows and columns, or split the file by month; load history with "
                                 "`kaohe import` on the command line")),
    "val.cell_too_long": (ERROR, "file", ("单元格有 {n} 个字符以上，超过上限 {limit} 个",
                                          "The cell has {n} characters or more; the limit is {limit}"),
                          ("不超过 {limit} 个字符", "at most {limit} characters"),
                          ("检查该单元格：可能缺少引号或分隔符，把很多行并进了一格",
                           "Check the cell: a missing quote or separator may have merged many lines into it")),
    "val.file_unzipped_too_large": (ERROR, "file", ("工作簿解压后有 {size_mb:.0f} MB，超过上限 {limit_mb:.0f} MB",
                                                    "The workbook unzips to {size_mb:.0f} MB; the limit is {limit_mb:.0f} MB"),
                                    ("解压后不超过 {limit_mb:.0f} MB", "at most {limit_mb:.0f} MB unzipped"),
                                    ("删除无关的工作表和图片，或另存为「CSV UTF-8」后导入",
                                     "Delete unrelated sheets and pictures, or save it as \"CSV UTF-8\" and import that")),
    "val.file_zip_bomb": (ERROR, "file", ("工作簿的压缩比异常：{part} 解压后 {size_mb:.0f} MB，是压缩后的 {ratio:.0f} 倍，"
                                          "上限 {limit} 倍（可能是恶意构造的文件）",
                                          "The workbook's compression is abnormal: {part} unzips to {size_mb:.0f} MB, "
                                          "{ratio:.0f} times its zipped size; the limit is {limit} times (the file may be crafted)"),
                          ("正常压缩的 .xlsx", "an .xlsx compressed normally"),
                          ("来源不明请勿打开；确认来源后用 Excel 打开并另存为新的 .xlsx，或另存为 CSV",
                           "Do not open a file you do not trust; otherwise save it again from Excel as .xlsx or CSV")),
    "val.file_zip_parts": (ERROR, "file", ("工作簿内有 {n} 个部件，超过上限 {limit} 个",
                                           "The workbook holds {n} parts; the limit is {limit}"),
                           ("普通的 .xlsx 工作簿", "an ordinary .xlsx workbook"),
                           ("用 Excel 打开并另存为新的 .xlsx，或另存为 CSV", "Save it again from Excel as .xlsx or CSV")),
    "val.sheet_too_large": (ERROR, "file", ("工作表「{sheet}」的范围是 {ref}（{rows} 行 × {cols} 列），超过上限："
                                            "{limit_rows} 行、{limit_cols} 列、共 {limit_cells} 个单元格",
                                            "Sheet \"{sheet}\" spans {ref} ({rows} rows x {cols} columns), beyond the "
                                            "limits of {limit_rows} rows, {limit_cols} columns, {limit_cells} cells"),
                            ("不超过 {limit_rows} 行、{limit_cols} 列", "at most {limit_rows} rows and {limit_cols} columns"),
                            ("删除工作表中多余的空行和空列（Ctrl+End 可看到范围的右下角）后保存，或另存为 CSV",
                             "Delete the empty rows and columns beyond the data (Ctrl+End shows the corner) and save, "
                             "or save it as CSV")),
    "val.file_unreadable": (ERROR, "file", ("读取文件时出错（{error}），文件未导入",
                                            "Reading the file failed ({error}); nothing was imported"),
                            ("可以读取的 CSV 或 .xlsx 文件", "a CSV or .xlsx file that can be read"),
                            ("用 Excel 打开并另存为 .xlsx 或「CSV UTF-8」后重试；仍失败请把文件交给管理员",
                             "Save it again from Excel as .xlsx or \"CSV UTF-8\" and retry; if it still fails, "
                             "give the file to the administrator")),
    "val.month_published": (ERROR, "period", ("{month} 的考核结果已发布，不能直接覆盖",
                                              "Results for {month} are published and cannot be overwritten silently"),
                            ("未发布的月份，或附更正理由", "an unpublished month, or a correction reason"),
                            ("如确需更正，请填写更正理由后再提交", "To correct it, give a correction reason")),
    # structure
    "val.gx_column_missing": (ERROR, "structure", ("规范化后缺少必需列", "A required column is missing"),
                              ("列：{columns}", "columns: {columns}"), ("请联系管理员（程序错误）", "Report this (a bug)")),
    "val.gx_column_type": (ERROR, "structure", ("规范化后的列类型不对", "A normalised column has the wrong type"),
                           ("数值列为浮点数", "numeric columns as floats"), ("请联系管理员（程序错误）", "Report this (a bug)")),
    "val.gx_error": (ERROR, "structure", ("校验程序出错（{expectation}）", "The validation itself failed ({expectation})"),
                     ("校验正常完成", "the checks to run"), ("请联系管理员（程序错误）", "Report this (a bug)")),
    "val.formula_no_value": (ERROR, "structure", ("单元格 {cell} 是公式，但文件中没有保存计算结果",
                                                  "Cell {cell} is a formula with no saved result"),
                             ("数值", "a value"), ("用 Excel 打开并保存一次，或复制后「选择性粘贴—数值」",
                                                   "Open and save it in Excel, or paste as values")),
    "val.column_unknown": (WARNING, "structure", ("无法识别的列，已忽略{hint_zh}", "Column not recognised, ignored{hint_en}"),
                           ("指标代码、指标名称或「单位」「月份」等列名", "an indicator code or name, or unit/month/value"),
                           ("如是考核指标，请改用指标目录中的名称或代码", "If it is an indicator, use its catalogue name or code")),
    "val.column_repeated": (WARNING, "structure", ("与第 {first} 列重复，已忽略", "Repeats column {first}, ignored"),
                            ("每个字段一列", "one column per field"), ("删除重复的列", "Remove the repeated column")),
    # references
    "val.unit_missing": (ERROR, "reference", ("单位为空", "The unit is empty"), ("单位代码或名称", "a unit code or name"),
                         ("填写单位代码（如 S01）或名称（如 东湖街道）", "Fill in a unit code (S01) or name")),
    "val.unit_unknown": (ERROR, "reference", ("单位不在单位名录中{hint_zh}", "The unit is not in the unit register{hint_en}"),
                         ("名录中的单位代码或名称", "a code or name from the register"),
                         ("检查单位名称是否有错别字，或先在名录中登记该单位",
                          "Check the spelling, or register the unit first")),
    "val.indicator_missing": (ERROR, "reference", ("指标为空", "The indicator is empty"),
                              ("指标代码或名称", "an indicator code or name"), ("填写指标", "Fill in the indicator")),
    "val.indicator_unknown": (ERROR, "reference", ("指标不在指标目录中{hint_zh}", "The indicator is not in the catalogue{hint_en}"),
                              ("目录中的指标代码或名称", "a code or name from the catalogue"),
                              ("改用目录中的指标代码或名称", "Use the catalogue's code or name")),
    "val.not_applicable_kind": (ERROR, "reference", ("指标「{indicator_zh}」不适用于{kind_zh}",
                                                      "Indicator {indicator_en} does not apply to {kind_en}"),
                                ("适用于该类单位的指标", "an indicator that applies to this kind of unit"),
                                ("删除该值，或填「不适用」", "Remove the value, or write 不适用")),
    "val.unit_inactive": (ERROR, "period", ("单位「{unit_zh}」在 {month} 已撤销（截至 {active_to}）",
                                            "Unit {unit_en} no longer exists in {month} (until {active_to})"),
                          ("{active_to} 及以前的月份", "{active_to} or earlier"),
                          ("改填承接该单位的新单位", "Report it under the successor unit")),
    "val.before_unit": (ERROR, "period", ("单位「{unit_zh}」在 {month} 尚未设立（自 {active_from} 起）",
                                          "Unit {unit_en} did not exist yet in {month} (from {active_from})"),
                        ("{active_from} 及以后的月份", "{active_from} or later"),
                        ("检查月份，或改填当时的单位", "Check the month, or use the unit of that time")),
    # domain
    "val.value_bad": (ERROR, "domain", ("不是数字", "Not a number"),
                      ("数字（如 95.3、95.3%、1,234）；缺报填「—」，不适用填「不适用」", "a number (95.3, 95.3%, 1,234); — if missing, 不适用 if not applicable"),
                      ("改为数字；缺报填「—」，不适用填「不适用」", "Write a number; — if missing, 不适用 if not applicable")),
    "val.value_range": (ERROR, "domain", ("「{indicator_zh}」超出指标取值范围", "{indicator_en} is outside the indicator's range"),
                        ("{range_zh}", "{range_en}"), ("{fix_zh}", "{fix_en}")),
    "val.count_integer": (ERROR, "domain", ("「{indicator_zh}」是计数，必须是非负整数",
                                            "{indicator_en} is a count: it must be a non-negative whole number"),
                          ("0、1、2…", "0, 1, 2, ..."), ("改为实际的整数，不要填平均数或比率",
                                                       "Write the actual whole number, not an average or a rate")),
    "val.num_gt_den": (ERROR, "domain", ("分子 {numerator:g} 大于分母 {denominator:g}，比率为 {rate}，超过 100%",
                                         "Numerator {numerator:g} exceeds denominator {denominator:g}: a rate of {rate}, over 100%"),
                       ("分子 ≤ 分母", "numerator <= denominator"), ("核对分子和分母是否填反", "Check whether they are swapped")),
    "val.ratio_negative": (ERROR, "domain", ("分子或分母为负数", "A negative numerator or denominator"),
                           ("非负数", "non-negative numbers"), ("改为实际件数", "Write the actual counts")),
    "val.value_percent_unit": (ERROR, "domain", ("「{indicator_zh}」以{unit_zh}计，不是百分数，数值不应带 %",
                                                 "{indicator_en} is measured in {unit_en}, not a percentage: the value "
                                                 "should not carry %"),
                               ("不带 % 的数值（单位：{unit_zh}）", "a number without % ({unit_en})"),
                               ("去掉 %；如 Excel 单元格设成了百分比格式，请改为「常规」或「数值」格式后重新输入",
                                "Remove the %; if the Excel cell is formatted as a percentage, format it as General "
                                "or Number and enter the value again")),
    "val.value_boolean": (ERROR, "domain", ("是逻辑值（TRUE/FALSE），不是数字", "A TRUE/FALSE (yes/no) cell, not a number"),
                          ("数字（如 95.3、12）", "a number (95.3, 12)"),
                          ("改填数值：在 Excel 中把单元格设为「数值」格式后重新输入",
                           "Type the number itself: in Excel, format the cell as a number and enter it again")),
    "val.value_not_finite": (ERROR, "domain", ("不是有限的数字（无穷大或 NaN）", "Not a finite number (infinity or NaN)"),
                             ("有限的数字；缺报填「—」", "a finite number; — if missing"),
                             ("填写实际数值；没有数据时填「—」（缺报）或「不适用」",
                              "Write the actual value; — if there is no data, 不适用 if not applicable")),
    "val.value_too_large": (ERROR, "domain", ("数值过大，不像实际数据", "The number is too large to be a real figure"),
                            ("绝对值不超过 {limit}", "at most {limit} in absolute value"),
                            ("检查是否多填了位数或误用了科学计数法（如 1e308）",
                             "Check for extra digits or an exponent typed by mistake (such as 1e308)")),
    "val.value_excel_error": (ERROR, "domain", ("是 Excel 的错误值（公式出错）", "An Excel error value (a formula failed)"),
                              ("数字", "a number"),
                              ("修正源表中的公式，或复制后「选择性粘贴—数值」",
                               "Fix the formula in the source sheet, or paste the values as numbers")),
    "val.status_ok_no_value": (ERROR, "domain", ("状态为「有效」，但没有可用的数值",
                                                 "The status says reported (有效/ok) but there is no usable value"),
                               ("数值（如 95.3）", "a value (e.g. 95.3)"),
                               ("填写数值；如确实没有数据，状态改为「缺报」或「不适用」",
                                "Fill in the value, or set the status to missing (缺报) or not applicable (不适用)")),
    "val.numerator_bad": (ERROR, "domain", ("分子不是可用的数字", "The numerator is not a usable number"),
                          ("非负的件数（如 953），绝对值不超过 {limit}", "a count of cases (e.g. 953), at most {limit}"),
                          ("改为实际件数；只填比率时分子、分母留空", "Write the actual count; leave numerator and "
                                                                   "denominator empty when only the rate is given")),
    "val.denominator_bad": (ERROR, "domain", ("分母不是可用的数字", "The denominator is not a usable number"),
                            ("正的件数（如 1000），绝对值不超过 {limit}", "a positive count of cases (e.g. 1000), at most {limit}"),
                            ("改为实际件数；只填比率时分子、分母留空", "Write the actual count; leave numerator and "
                                                                     "denominator empty when only the rate is given")),
    "val.value_mismatch": (ERROR, "domain", ("数值与分子/分母不一致（按分子/分母应为 {computed:.2f}）",
                                             "Value does not match numerator/denominator (they give {computed:.2f})"),
                           ("{computed:.2f}（允许四舍五入误差）", "{computed:.2f} (rounding allowed)"),
                           ("核对数值、分子与分母", "Check the value, numerator and denominator")),
    "val.rate_fraction": (WARNING, "domain", ("该列比率都不大于 1，像是小数而不是百分数",
                                              "Every rate in this column is at most 1: fractions, not percentages?"),
                          ("百分数 0–100（95.3 或 95.3%）", "percentages 0-100 (95.3 or 95.3%)"),
                          ("如 0.953 表示 95.3%，请乘以 100 或改为「95.3%」", "If 0.953 means 95.3%, multiply by 100")),
    "val.month_bad": (ERROR, "domain", ("无法识别的月份", "The month is not recognised"),
                      ("如 2026-10、2026/10、202610、2026年10月", "e.g. 2026-10, 2026/10, 202610, 2026年10月"),
                      ("改为上述任一格式", "Use one of these forms")),
    "val.month_missing": (ERROR, "domain", ("月份为空", "The month is empty"), ("月份", "a month"), ("填写月份", "Fill in the month")),
    "val.status_bad": (ERROR, "domain", ("无法识别的状态", "Status not recognised"),
                       ("有效 / 缺报 / 不适用", "ok / missing / not applicable"), ("改为上述之一", "Use one of these")),
    # periods
    "val.month_future": (ERROR, "period", ("月份 {month} 尚未到来", "Month {month} is in the future"),
                         ("{current} 或更早", "{current} or earlier"), ("检查月份", "Check the month")),
    "val.month_open": (ERROR, "period", ("{month} 尚未结束，不能导入月度数据", "{month} has not ended: its monthly data cannot be imported yet"),
                       ("已结束的月份（{last} 或更早）", "a month that has ended ({last} or earlier)"),
                       ("请等 {month} 结束后（{next} 起）再导入；如月份填错，请改正",
                        "Wait until {month} has ended (from {next} on) and import it then; if the month is wrong, correct it")),
    "val.month_too_early": (ERROR, "period", ("{month} 早于可导入的最早月份 {earliest}",
                                              "{month} is before the earliest month that can be imported, {earliest}"),
                            ("{earliest} 或以后", "{earliest} or later"),
                            ("检查月份是否填错；确需导入更早的历史数据时，请管理员调整设置 `KAOHE_EARLIEST_MONTH`",
                             "Check the month; to import older history, ask the administrator to change the setting "
                             "`KAOHE_EARLIEST_MONTH`")),
    "val.earliest_setting_bad": (ERROR, "period", ("设置 `KAOHE_EARLIEST_MONTH` 的值「{setting}」不是月份",
                                                   "The setting `KAOHE_EARLIEST_MONTH` is \"{setting}\", not a month"),
                                 ("YYYY-MM，如 {default}", "YYYY-MM, e.g. {default}"),
                                 ("请管理员改正或删除该设置（删除后最早月份为 {default}）",
                                  "Ask the administrator to correct or remove it (without it the earliest month is {default})")),
    "val.month_title_differs": (WARNING, "period", ("指定的月份 {given} 与标题中的月份 {title} 不同",
                                                    "The month given ({given}) differs from the title's ({title})"),
                                ("一致的月份", "the same month"), ("确认月份", "Confirm the month")),
    # duplicates
    "val.duplicate_row": (ERROR, "duplicate", ("与第 {first} 行重复（同一单位、指标、月份）",
                                               "Repeats row {first} (same unit, indicator and month)"),
                          ("每个单位、指标、月份一行", "one row per unit, indicator and month"),
                          ("删除重复行，保留正确的一行", "Delete the repeated row, keep the right one")),
    # completeness
    "val.incomplete": (WARNING, "completeness", ("{unit_zh} 在 {month} 缺少 {n} 项指标：{missing_zh}",
                                                 "{unit_en} lacks {n} indicators in {month}: {missing_en}"),
                       ("文件中其他单位都有的指标", "the indicators other units in the file report"),
                       ("补齐数据；缺报填「—」，不适用填「不适用」", "Fill them in; — if missing, 不适用 if not applicable")),
    "val.unit_absent": (WARNING, "completeness", ("{month} 缺少单位「{unit_zh}」的数据", "No data for unit {unit_en} in {month}"),
                        ("同类单位都有数据", "every unit of this kind reported"), ("确认该单位是否漏报", "Check whether it was left out")),
    # plausibility
    "val.jump": (WARNING, "plausibility", ("{unit_zh}「{indicator_zh}」为 {value}，与本单位历史差异过大"
                                           "（近 {n} 个月中位数 {median:g}，通常约 {low:g} 至 {high:g}）",
                                           "{unit_en}, {indicator_en}: {value} is far outside the unit's own history "
                                           "(median of the last {n} months {median:g}, usually about {low:g} to {high:g})"),
                 ("约 {low:g} 至 {high:g}", "about {low:g} to {high:g}"), ("核实数据来源；确认无误可保留",
                                                                         "Verify with the source; keep it if right")),
    "val.perfect_streak": (WARNING, "plausibility", ("{unit_zh}「{indicator_zh}」连续 {n} 个月恰好 100%",
                                                     "Exactly 100% for {n} months running ({unit_en}, {indicator_en})"),
                           ("有正常波动的比率", "a rate with normal variation"), ("核实是否为自报数据或统计口径问题",
                                                                              "Check for self-reporting or a counting rule")),
    "val.peer_outlier": (WARNING, "plausibility", ("{unit_zh}「{indicator_zh}」为 {value}，与同类单位相比异常"
                                                   "（同类中位数 {median:g}，通常约 {low:g} 至 {high:g}）",
                                                   "{unit_en}, {indicator_en}: {value} is an outlier in its peer group "
                                                   "(peer median {median:g}, usually about {low:g} to {high:g})"),
                         ("约 {low:g} 至 {high:g}", "about {low:g} to {high:g}"), ("核实数据；确认无误可保留",
                                                                                 "Verify; keep it if right")),
    # what was skipped, so the evaluator sees nothing vanished silently
    "val.skipped_title": (INFO, "skipped", ("标题行，已跳过", "Title row, skipped"), ("", ""), ("", "")),
    "val.skipped_empty": (INFO, "skipped", ("空行，已跳过（{n} 行）", "Empty rows skipped ({n})"), ("", ""), ("", "")),
    "val.skipped_total": (INFO, "skipped", ("合计行，已跳过", "Total row, skipped"), ("", ""), ("", "")),
    "val.skipped_note": (INFO, "skipped", ("说明/备注行，已跳过", "Note row, skipped"), ("", ""), ("", "")),
    "val.skipped_empty_column": (INFO, "skipped", ("空列，已跳过", "Empty column, skipped"), ("", ""), ("", "")),
    "val.skipped_ignored_column": (INFO, "skipped", ("非数据列，已忽略", "Not a data column, ignored"), ("", ""), ("", "")),
    "val.skipped_not_applicable": (INFO, "skipped", ("{n} 个空单元格属于不适用于该类单位的指标，已跳过",
                                                     "{n} empty cells of indicators that do not apply to the unit, skipped"),
                                   ("", ""), ("", "")),
}

# Words that go inside the messages above, rendered in both languages when the problem is found
# (the message then takes them as {x_zh} / {x_en} parameters, so a stored problem reads in either).
HINTS = {
    "val.hint.suggest": ("；是否为：{names}？", "; did you mean {names}?"),
    "val.hint.suggest_name": ("「{name}」（{code}）", "{name} ({code})"),
    "val.hint.or": ("或", " or "),
    # the range of a value, by the indicator's kind and measurement unit
    "val.hint.range.rate": ("{low} 至 {high} 的百分数（95.3 或 95.3%）", "a percentage from {low} to {high} (95.3 or 95.3%)"),
    "val.hint.fix.rate": ("「{name_zh}」是百分数，请填 {low}–{high}，如 95.3 或 95.3%；写成小数的（0.953）请乘以 100",
                          "{name_en} is a percentage: write {low}-{high}, e.g. 95.3 or 95.3%; multiply a fraction "
                          "(0.953) by 100"),
    "val.hint.range.count": ("不小于 {low} 的整数（单位：{unit_zh}）", "a whole number of at least {low} ({unit_en})"),
    "val.hint.range.count_max": ("{low} 至 {high} 的整数（单位：{unit_zh}）", "a whole number from {low} to {high} ({unit_en})"),
    "val.hint.fix.count": ("「{name_zh}」是计数，请填实际{unit_zh}数：0、1、2…，不能为负数；没有发生填 0",
                           "{name_en} is a count: write the number of {unit_en} (0, 1, 2, ...), never negative; "
                           "0 if there were none"),
    "val.hint.range.measure": ("不小于 {low}（单位：{unit_zh}）", "at least {low} ({unit_en})"),
    "val.hint.range.measure_max": ("{low} 至 {high}（单位：{unit_zh}）", "{low} to {high} ({unit_en})"),
    "val.hint.fix.duration": ("「{name_zh}」是时长，以{unit_zh}为单位，不能为负数",
                              "{name_en} is a duration in {unit_en}; it cannot be negative"),
    "val.hint.fix.per_10k": ("「{name_zh}」是每万人的比率（{unit_zh}），不能为负数",
                             "{name_en} is a rate per 10,000 residents ({unit_en}); it cannot be negative"),
    "val.hint.fix.score": ("「{name_zh}」是得分，请填 {low}–{high} 之间的分值", "{name_en} is a score: write {low}-{high}"),
    "val.hint.fix.other": ("检查「{name_zh}」的数值和计量单位（{unit_zh}）",
                           "Check the value of {name_en} and its unit ({unit_en})"),
}
i18n.register(HINTS)

KINDS = ["file", "structure", "reference", "domain", "period", "duplicate", "completeness", "plausibility",
         "skipped"]

i18n.register({k: v[2] for k, v in CHECKS.items()})
i18n.register({f"{k}.expected": v[3] for k, v in CHECKS.items()})
i18n.register({f"{k}.fix": v[4] for k, v in CHECKS.items()})
i18n.register({
    "val.severity.error": ("错误", "error"),
    "val.severity.warning": ("警告", "warning"),
    "val.severity.info": ("提示", "note"),
    **{f"val.kind.{k}": v for k, v in {
        "file": ("文件", "file"), "structure": ("结构", "structure"), "reference": ("引用", "reference"),
        "domain": ("取值", "values"), "period": ("期间", "period"), "duplicate": ("重复", "duplicates"),
        "completeness": ("完整性", "completeness"), "plausibility": ("合理性", "plausibility"),
        "skipped": ("跳过", "skipped")}.items()},
})


def problem(check: str, row=None, column=None, value=None, **params) -> dict:
    severity, kind = CHECKS[check][0], CHECKS[check][1]
    return {"check": check, "severity": severity, "kind": kind, "row": row, "column": column,
            "value": value, "params": params}


def frame(problems: list[dict]) -> pd.DataFrame:
    if not problems:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    return pd.DataFrame(problems, columns=PROBLEM_COLUMNS)


def many(check: str, rows: pd.DataFrame, column: str | pd.Series | None, value: pd.Series | None,
         params: pd.Series | dict | None = None) -> pd.DataFrame:
    """Vectorised `problem` for many rows of the normalised frame at once."""
    severity, kind = CHECKS[check][0], CHECKS[check][1]
    n = len(rows)
    p = params.tolist() if isinstance(params, pd.Series) else [dict(params or {})] * n
    return pd.DataFrame({
        "check": [check] * n, "severity": [severity] * n, "kind": [kind] * n,
        "row": rows["row"].to_numpy(),
        "column": column.to_numpy() if isinstance(column, pd.Series) else [column] * n,
        "value": value.to_numpy() if isinstance(value, pd.Series) else [value] * n,
        "params": p,
    })
