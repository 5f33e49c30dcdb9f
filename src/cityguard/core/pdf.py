"""PDF helpers shared by the reports (incidents' after-action report, the indicators'
monthly report)."""

from __future__ import annotations

# reportlab's built-in CID font: Chinese renders without any font file on the machine.
CJK_FONT = "STSong-Light"


def cjk_font() -> str:
    """Register (once) and name the font for Chinese text."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT
