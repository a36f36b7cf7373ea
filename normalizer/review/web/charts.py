"""Server-side SVG charts: horizontal bars a browser draws without any script."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from markupsafe import Markup

__all__ = ["bar_chart"]

_ROW = 22
_LABEL = 230
_BAR = 360
_VALUE = 60


def bar_chart(
    title: str,
    items: Sequence[tuple[str, int]],
    *,
    link: str | None = None,
    colour: str = "#c2410c",
    limit: int = 15,
    names: Mapping[str, str] | None = None,
) -> Markup:
    """A labelled horizontal bar chart of ``items`` (largest first, at most ``limit``).

    ``link``, when given, is a URL with ``{}`` where the item's key goes: each
    bar then opens the queue filtered on it.  ``names`` shows a key under a
    name (a variable's label for its id).  Labels are escaped.
    """
    shown = sorted(items, key=lambda kv: (-kv[1], kv[0]))[:limit]
    rest = len(items) - len(shown)
    top = max((v for _, v in shown), default=0) or 1
    height = _ROW * max(1, len(shown)) + 34 + (18 if rest > 0 else 0)
    width = _LABEL + _BAR + _VALUE
    out = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
    ]
    if not shown:
        out.append('<text x="0" y="44" class="chart-empty">nothing to review</text>')
    for i, (label, value) in enumerate(shown):
        y = 30 + i * _ROW
        w = max(2.0, _BAR * value / top)
        label_text = (names or {}).get(label, label)
        name = label_text if len(label_text) <= 34 else label_text[:32] + "…"
        bar = (
            f'<text x="{_LABEL - 8}" y="{y + 15}" text-anchor="end" class="chart-label">'
            f"{escape(name)}</text>"
            f'<rect x="{_LABEL}" y="{y + 3}" width="{w:.1f}" height="{_ROW - 6}" rx="3" '
            f'fill="{colour}"><title>{escape(label_text)}: {value}</title></rect>'
            f'<text x="{_LABEL + w + 6:.1f}" y="{y + 15}" class="chart-value">{value}</text>'
        )
        if link is not None:
            from urllib.parse import quote

            href = escape(link.format(quote(label, safe="")))
            bar = f'<a href="{href}">{bar}</a>'
        out.append(bar)
    if rest > 0:
        y = 30 + len(shown) * _ROW + 12
        out.append(f'<text x="{_LABEL}" y="{y}" class="chart-empty">and {rest} more</text>')
    out.append("</svg>")
    return Markup("".join(out))
