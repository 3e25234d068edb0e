"""Write a briefing as .docx (python-docx) and PDF (fpdf2), with its charts drawn by matplotlib.

Both files say the same thing in the same order: title, 总体情况 (the template's sentences with
the numbers filled in, each number a link to its cases), comparisons (同比/环比), the units'
ranking with its method, charts, typical cases, problems, the period's 每月一题 and the closing
words.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from briefings.figures import RATE_FIELDS, percent

# Where Debian puts the Chinese fonts (fonts-wqy-microhei, fonts-noto-cjk); LIANXIN_CJK_FONT
# names another TrueType/OpenType file or collection.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)
RATE_LABELS = {
    "on_spot_rate": "当场办结率",
    "response_rate": "响应率",
    "resolution_rate": "解决率",
    "satisfaction_rate": "满意率",
    "on_time_rate": "按期办结率",
    "rework_rate": "返工率",
    "mediation_success_rate": "调处成功率",
}
PROBLEM_LABELS = {"overdue_now": "超期未办结", "unsatisfied": "回访不满意", "reopened": "重办"}


class RenderError(RuntimeError):
    pass


def cjk_font() -> Path:
    named = os.environ.get("LIANXIN_CJK_FONT")
    for candidate in ([named] if named else []) + list(FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise RenderError(
        _("服务器没有中文字体，无法生成 PDF 和图表：请安装 fonts-wqy-microhei 或 fonts-noto-cjk。")
    )


def site_url(path: str) -> str:
    return settings.NOTIFY_SITE_URL.rstrip("/") + path


def cases_url(params: dict[str, str] | None) -> str | None:
    if params is None:
        return None
    return site_url(f"{reverse('caseviews:case-list')}?{urlencode(params, safe=',')}")


def case_url(case_id: int) -> str:
    return site_url(reverse("caseviews:case-detail", args=[case_id]))


# --- Charts -----------------------------------------------------------------------------------


@cache
def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    font_manager.fontManager.addfont(str(cjk_font()))
    name = font_manager.FontProperties(fname=str(cjk_font())).get_name()
    plt.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    _pyplot().close(figure)
    return buffer.getvalue()


def charts(figures: dict[str, Any]) -> list[tuple[str, bytes]]:
    """(caption, PNG) for the places' received and on-the-spot counts and the monthly trend."""
    plt = _pyplot()
    result = []
    places = [p for p in figures["places"] if p["received"]][:16]
    if places:
        figure, axes = plt.subplots(figsize=(7.2, 3.4))
        labels = [p["label"] for p in places]
        positions = range(len(places))
        axes.bar(
            [i - 0.2 for i in positions],
            [p["received"] for p in places],
            0.4,
            label="受理",
            color="#2f6db5",
        )
        axes.bar(
            [i + 0.2 for i in positions],
            [p["on_spot"] for p in places],
            0.4,
            label="当场办结",
            color="#e08a2c",
        )
        axes.set_xticks(list(positions), labels, rotation=30, ha="right", fontsize=8)
        axes.legend(fontsize=8)
        axes.spines[["top", "right"]].set_visible(False)
        result.append((_("各地受理与当场办结"), _png(figure)))
    trend = figures["trend"]
    if any(m["received"] for m in trend):
        figure, axes = plt.subplots(figsize=(7.2, 3.0))
        labels = [m["label"].replace("年", "-").replace("月", "") for m in trend]
        axes.plot(labels, [m["received"] for m in trend], marker="o", label="受理", color="#2f6db5")
        axes.plot(labels, [m["closed"] for m in trend], marker="s", label="销号", color="#3a9a5b")
        axes.tick_params(axis="x", labelsize=7, rotation=30)
        axes.legend(fontsize=8)
        axes.spines[["top", "right"]].set_visible(False)
        result.append((_("近12个月受理与销号趋势"), _png(figure)))
    return result


# --- The document's content, once for both writers ---------------------------------------------


def _rate(value: float | None) -> str:
    return percent(value)


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


# A table cell: its text and the case list it opens (None: not a set of cases).
Cell = tuple[str, str | None]


def comparison_table(figures: dict[str, Any]) -> tuple[list[str], list[list[Cell]]]:
    """Each rate now, the period before and a year before, each opening the cases behind it
    (the numerator, or the base where the figure has no numerator)."""
    head = ["指标", "本期", "上期", "上年同期", "环比", "同比"]
    rows = []
    for c in figures["comparisons"]:
        if c["key"] not in RATE_FIELDS:
            continue
        opens = c.get("params") or {}
        rows.append(
            [
                (RATE_LABELS[c["key"]], None),
                (_rate(c["now"]), cases_url(opens.get("now"))),
                (_rate(c["previous"]), cases_url(opens.get("previous"))),
                (_rate(c["last_year"]), cases_url(opens.get("last_year"))),
                (c["mom"], None),
                (c["yoy"], None),
            ]
        )
    return head, rows


def ranking_table(figures: dict[str, Any]) -> tuple[list[str], list[list[Cell]]]:
    """The units in rank order, then those with too few cases; each count and rate opens the
    unit's cases behind it."""
    head = ["名次", "承办单位", "受理", "有效回访", "原始得分", "排名得分", "按期办结率", "满意率"]
    rows = []
    ranking = figures["ranking"]
    for line in ranking["ranked"] + ranking["apart"]:
        links = line.get("links") or {}
        rows.append(
            [
                (str(line["rank"]) if line["rank"] else "样本不足", None),
                (line["unit"], None),
                (str(line["received"]), cases_url(line["params"])),
                (str(line["valid_visits"]), cases_url(links.get("valid_visits"))),
                (_score(line["composite_score"]), cases_url(links.get("composite_score"))),
                (_score(line["score"]) if line["rank"] else "—", None),
                (_rate(line["on_time_rate"]), cases_url(links.get("on_time_rate"))),
                (_rate(line["satisfaction_rate"]), cases_url(links.get("satisfaction_rate"))),
            ]
        )
    return head, rows


def theme_lines(figures: dict[str, Any]) -> list[str]:
    """每月一题 of the period, one line each (a briefing made before themes existed has none)."""
    lines = []
    for index, theme in enumerate(figures.get("themes") or [], start=1):
        co_units = "、".join(theme["co_units"])
        units = f"牵头单位：{theme['lead_unit']}" + (f"；协办单位：{co_units}" if co_units else "")
        lines.append(
            f"{index}. {theme['title']}（{theme['month_label']}，{theme['status_label']}；{units}）："
            f"节点任务完成{theme['milestones_done']}/{theme['milestones_total']}，"
            f"涵盖事项{theme['cases_total']}件、已办结{theme['cases_closed']}件，"
            f"按期办结率{_rate(theme['on_time_rate'])}，满意率{_rate(theme['satisfaction_rate'])}。"
        )
    return lines


NO_THEMES = "本期未确定每月一题。"


def method_sentence(figures: dict[str, Any]) -> str:
    ranking = figures["ranking"]
    return _(
        "排名方法：排名得分＝（n×单位综合得分＋k×平均综合得分）÷（n＋k），n为单位有效回访件数，"
        "k＝%(k)g，平均综合得分%(avg)s；有效回访少于%(min)d件的单位列为“样本不足”，不参与排名。"
    ) % {"k": ranking["weight"], "avg": _score(ranking["average"]), "min": ranking["min_volume"]}


# --- .docx ------------------------------------------------------------------------------------


def _docx_link(paragraph: Any, url: str, text: str) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "1F4E99")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.append(color)
    properties.append(underline)
    run.append(properties)
    node = OxmlElement("w:t")
    node.text = text
    node.set(qn("xml:space"), "preserve")
    run.append(node)
    link.append(run)
    paragraph._p.append(link)


def _docx_segments(document: Any, parts: Sequence[dict[str, Any]], numbers: dict[str, Any]) -> None:
    if not parts:
        return
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = document.styles["Normal"].font.size * 2
    for part in parts:
        if "text" in part:
            paragraph.add_run(part["text"])
            continue
        number = numbers[part["key"]]
        url = cases_url(number["params"])
        if url:
            _docx_link(paragraph, url, number["text"])
        else:
            paragraph.add_run(number["text"])


def _docx_table(document: Any, head: list[str], rows: list[list[Cell]]) -> None:
    table = document.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, (text, url) in zip(cells, row, strict=True):
            if url:
                _docx_link(cell.paragraphs[0], url, text)
            else:
                cell.text = text


def write_docx(
    title: str,
    issuer: str,
    figures: dict[str, Any],
    texts: dict[str, list[dict[str, Any]]],
    images: list[tuple[str, bytes]],
) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    for level in (1, 2):
        style = document.styles[f"Heading {level}"]
        style.font.name = "SimHei"
        style.element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")
    heading = document.add_heading(title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if issuer:
        line = document.add_paragraph(f"{issuer}　　{figures['computed_at'][:10]}")
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    numbers = figures["numbers"]

    document.add_heading("一、总体情况", level=1)
    _docx_segments(document, texts["summary"], numbers)
    head, rows = comparison_table(figures)
    _docx_table(document, head, rows)

    document.add_heading("二、各单位办理情况", level=1)
    _docx_segments(document, texts["ranking_note"], numbers)
    document.add_paragraph(method_sentence(figures))
    head, rows = ranking_table(figures)
    if rows:
        _docx_table(document, head, rows)
    for caption, png in images:
        document.add_picture(io.BytesIO(png), width=Cm(15.5))
        document.add_paragraph(caption).alignment = WD_ALIGN_PARAGRAPH.CENTER

    document.add_heading("三、典型案例", level=1)
    _docx_segments(document, texts["typical_intro"], numbers)
    for index, case in enumerate(figures["typical"], start=1):
        paragraph = document.add_paragraph(f"{index}. ")
        _docx_link(paragraph, case_url(case["id"]), f"{case['number']} {case['title']}")
        paragraph.add_run(f"（{case['unit']}）")
        document.add_paragraph(f"办理答复：{case['answer']}")
    if not figures["typical"]:
        document.add_paragraph("本期暂无符合条件的典型案例。")

    document.add_heading("四、存在问题", level=1)
    _docx_segments(document, texts["problems_intro"], numbers)
    for key, cases in figures["problems"].items():
        paragraph = document.add_paragraph(f"{PROBLEM_LABELS[key]}：")
        number = numbers[key]
        _docx_link(paragraph, cases_url(number["params"]) or "", f"{number['text']}件")
        for case in cases:
            item = document.add_paragraph(style="List Bullet")
            _docx_link(item, case_url(case["id"]), f"{case['number']} {case['title']}")
            item.add_run(f"（{case['unit']}）")

    document.add_heading("五、每月一题", level=1)
    for sentence in theme_lines(figures) or [NO_THEMES]:
        document.add_paragraph(sentence)

    if texts["closing"]:
        document.add_heading("六、下步工作", level=1)
        _docx_segments(document, texts["closing"], numbers)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- PDF --------------------------------------------------------------------------------------


class _Pdf:
    def __init__(self) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(True, margin=18)
        self.pdf.set_margins(20, 18, 20)
        # One regular face serves for the headings' bold too (the collection has no bold).
        self.pdf.add_font("cjk", "", str(cjk_font()))
        self.pdf.add_font("cjk", "B", str(cjk_font()))
        self.pdf.add_page()
        self.size(12)

    def size(self, points: float) -> None:
        self.pdf.set_font("cjk", size=points)

    def heading(self, text: str, points: float = 15) -> None:
        self.pdf.ln(3)
        self.size(points)
        self.pdf.multi_cell(0, points * 0.6, text, new_x="LMARGIN", new_y="NEXT")
        self.size(12)
        self.pdf.ln(1)

    def text(self, text: str, link: str | None = None) -> None:
        if link:
            self.pdf.set_text_color(31, 78, 153)
            self.pdf.write(7, text, link=link)
            self.pdf.set_text_color(0, 0, 0)
        else:
            self.pdf.write(7, text)

    def end_paragraph(self) -> None:
        self.pdf.ln(9)

    def segments(self, parts: Sequence[dict[str, Any]], numbers: dict[str, Any]) -> None:
        if not parts:
            return
        self.text("　　")
        for part in parts:
            if "text" in part:
                self.text(part["text"])
            else:
                number = numbers[part["key"]]
                self.text(number["text"], cases_url(number["params"]))
        self.end_paragraph()

    def table(self, head: list[str], rows: list[list[Cell]]) -> None:
        self.size(9)
        with self.pdf.table(text_align="CENTER", line_height=6) as table:
            header = table.row()
            for text in head:
                header.cell(text)
            for row in rows:
                line = table.row()
                for text, url in row:
                    line.cell(text, link=url) if url else line.cell(text)
        self.size(12)
        self.pdf.ln(3)


def write_pdf(
    title: str,
    issuer: str,
    figures: dict[str, Any],
    texts: dict[str, list[dict[str, Any]]],
    images: list[tuple[str, bytes]],
) -> bytes:
    doc = _Pdf()
    pdf = doc.pdf
    doc.size(18)
    pdf.multi_cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.size(11)
    if issuer:
        pdf.multi_cell(
            0,
            7,
            f"{issuer}　　{figures['computed_at'][:10]}",
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    doc.size(12)
    numbers = figures["numbers"]

    doc.heading("一、总体情况")
    doc.segments(texts["summary"], numbers)
    head, rows = comparison_table(figures)
    doc.table(head, rows)

    doc.heading("二、各单位办理情况")
    doc.segments(texts["ranking_note"], numbers)
    doc.text(method_sentence(figures))
    doc.end_paragraph()
    head, rows = ranking_table(figures)
    if rows:
        doc.table(head, rows)
    for caption, png in images:
        pdf.image(io.BytesIO(png), w=165)
        doc.size(10)
        pdf.multi_cell(0, 6, caption, align="C", new_x="LMARGIN", new_y="NEXT")
        doc.size(12)

    doc.heading("三、典型案例")
    doc.segments(texts["typical_intro"], numbers)
    for index, case in enumerate(figures["typical"], start=1):
        doc.text(f"{index}. ")
        doc.text(f"{case['number']} {case['title']}", case_url(case["id"]))
        doc.text(f"（{case['unit']}）")
        pdf.ln(7)
        doc.text(f"办理答复：{case['answer']}")
        doc.end_paragraph()
    if not figures["typical"]:
        doc.text("本期暂无符合条件的典型案例。")
        doc.end_paragraph()

    doc.heading("四、存在问题")
    doc.segments(texts["problems_intro"], numbers)
    for key, cases in figures["problems"].items():
        number = numbers[key]
        doc.text(f"{PROBLEM_LABELS[key]}：")
        doc.text(f"{number['text']}件", cases_url(number["params"]))
        pdf.ln(7)
        for case in cases:
            doc.text("· ")
            doc.text(f"{case['number']} {case['title']}", case_url(case["id"]))
            doc.text(f"（{case['unit']}）")
            pdf.ln(7)
        pdf.ln(2)

    doc.heading("五、每月一题")
    for sentence in theme_lines(figures) or [NO_THEMES]:
        doc.text(sentence)
        doc.end_paragraph()

    if texts["closing"]:
        doc.heading("六、下步工作")
        doc.segments(texts["closing"], numbers)
    return bytes(pdf.output())
