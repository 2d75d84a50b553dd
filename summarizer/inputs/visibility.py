"""What an HTML page's own markup keeps a reader from seeing: hidden elements, and text drawn unseen.

Hidden text is a classic place to plant instructions for a model, so both HTML
extractors (:mod:`summarizer.inputs.html`) leave out what this module judges unseen:
an element hidden by an attribute or an inline style (:func:`is_hidden`), and text drawn
in a transparent colour or in the colour behind it (:func:`paint_of`, :func:`is_unseen`).
Only the markup is read: a style sheet can hide more, and what it hides is kept.
"""

from __future__ import annotations

import colorsys
import functools
import re

__all__ = ["UNPAINTED", "Paint", "is_hidden", "is_unseen", "paint_of"]

_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)"  # content-visibility too
    r"|font-size\s*:\s*0(?:\.0+)?(?:px|em|rem|pt|%)?\s*(?:;|$|!)"
    r"|(?:^|;)\s*font\s*:\s*0(?:\.0+)?(?:px|em|rem|pt|%)?\s*/"  # "font: 0/0 a", the old text-hiding trick
    r"|opacity\s*:\s*0(?:\.0+)?%?\s*(?:;|$|!)|filter\s*:[^;]*\bopacity\(\s*0(?:\.0+)?%?\s*\)"
    r"|(?:left|top|right|text-indent)\s*:\s*-\d{3,}(?:\.\d+)?(?:px|em|rem)"  # pushed off-screen
    r"|translate(?:x|y|3d)?\(\s*-\d{4,}(?:\.\d+)?px"
    r"|clip\s*:\s*rect\(\s*0[^)]*\)|clip-path\s*:\s*inset\(\s*50%",
    re.IGNORECASE,
)
_ZERO_BOX = re.compile(r"(?:^|;)\s*(?:max-)?(?:height|width)\s*:\s*0(?:px|em|rem|%)?\s*(?:;|$|!)", re.IGNORECASE)
_CLIPPED = re.compile(r"overflow(?:-[xy])?\s*:\s*(?:hidden|clip)", re.IGNORECASE)
_SCALE = re.compile(r"\b(scale(?:3d|x|y)?|matrix)\(([^)]*)\)|(?:^|;)\s*scale\s*:\s*([^;!]+)", re.IGNORECASE)
_FONT_SIZE = re.compile(r"(?:^|;)\s*font-size\s*:\s*(\d*\.?\d+)\s*(px|pt|em|rem|%)", re.IGNORECASE)
_TINY_FONT = {"px": 2.0, "pt": 1.5, "em": 0.125, "rem": 0.125, "%": 12.5}
"""Font sizes below these draw text no reader can make out (one or two pixels)."""

_Colour = tuple[float, float, float, float]  # red, green and blue from 0 to 255; alpha from 0 to 1
Paint = tuple[_Colour | None, _Colour | None]  # an element's text colour and the opaque colour behind it, if known
UNPAINTED: Paint = (None, None)
_SAME_COLOUR = 8  # channels this close (of 255) look the same: #f8f8f8 on white is not read
_NAMED_COLOURS: dict[str, tuple[int, int, int]] = {
    "white": (255, 255, 255), "black": (0, 0, 0), "silver": (192, 192, 192), "gray": (128, 128, 128),
    "grey": (128, 128, 128), "red": (255, 0, 0), "maroon": (128, 0, 0), "yellow": (255, 255, 0),
    "olive": (128, 128, 0), "lime": (0, 255, 0), "green": (0, 128, 0), "aqua": (0, 255, 255), "cyan": (0, 255, 255),
    "teal": (0, 128, 128), "blue": (0, 0, 255), "navy": (0, 0, 128), "fuchsia": (255, 0, 255),
    "magenta": (255, 0, 255), "purple": (128, 0, 128), "orange": (255, 165, 0), "whitesmoke": (245, 245, 245),
    "snow": (255, 250, 250), "ivory": (255, 255, 240), "ghostwhite": (248, 248, 255),
}
"""CSS's basic colours and the near-whites a page paints white text on; any other name is left unjudged."""
_COLOUR_WORD = re.compile(r"(?:rgba?|hsla?)\([^)]*\)|#[0-9a-f]{3,8}\b|[a-z-]+", re.IGNORECASE)
_BACKGROUND_IMAGE = re.compile(r"url\(|gradient\(|image-set\(|element\(|var\(", re.IGNORECASE)


def _number(value: str, scale: float = 1.0) -> float:
    """A CSS number, or a percentage of ``scale``; raises ValueError for anything else."""
    value = value.strip().lower()
    return float(value[:-1]) * scale / 100 if value.endswith("%") else float(value)


def _colour(value: str) -> _Colour | None:
    """A CSS colour (a name of :data:`_NAMED_COLOURS`, ``transparent``, ``#rgb[a]``, ``#rrggbb[aa]``, ``rgb()``,
    ``rgba()``, ``hsl()``, ``hsla()``), or None for one it cannot judge (``var()``, ``currentcolor``, other names)."""
    v = value.replace("!important", "").strip().lower()
    if v == "transparent":
        return (0.0, 0.0, 0.0, 0.0)
    if v in _NAMED_COLOURS:
        r, g, b = _NAMED_COLOURS[v]
        return (float(r), float(g), float(b), 1.0)
    if re.fullmatch(r"#[0-9a-f]{3,8}", v) and len(v) in (4, 5, 7, 9):
        digits = v[1:] if len(v) > 5 else "".join(c * 2 for c in v[1:])
        alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
        return (float(int(digits[0:2], 16)), float(int(digits[2:4], 16)), float(int(digits[4:6], 16)), alpha)
    match = re.fullmatch(r"(rgba?|hsla?)\(([^)]*)\)", v)
    if match is None:
        return None
    parts = [p for p in re.split(r"[\s,/]+", match[2].strip()) if p]
    if len(parts) not in (3, 4):
        return None
    try:
        alpha = min(1.0, max(0.0, _number(parts[3]))) if len(parts) == 4 else 1.0
        if match[1].startswith("rgb"):
            red, green, blue = (min(255.0, max(0.0, _number(p, 255))) for p in parts[:3])
        else:
            hue = _number(parts[0].removesuffix("deg")) / 360 % 1
            light, saturation = (min(1.0, max(0.0, _number(p, 1) if p.endswith("%") else float(p) / 100))
                                 for p in (parts[2], parts[1]))
            red, green, blue = (c * 255 for c in colorsys.hls_to_rgb(hue, light, saturation))
    except ValueError:
        return None
    return (red, green, blue, alpha)


def _over(top: _Colour, below: _Colour) -> _Colour:
    """``top`` drawn over the opaque ``below``."""
    a = top[3]
    return (top[0] * a + below[0] * (1 - a), top[1] * a + below[1] * (1 - a), top[2] * a + below[2] * (1 - a), 1.0)


_PAINT_KEYS = frozenset({"style", "color", "text", "bgcolor"})
_Rule = tuple[str, _Colour | None]


@functools.lru_cache(maxsize=4096)
def _rules(key: str, value: str) -> tuple[_Rule, ...]:
    """What one attribute says of colours, in order: ("color", the text colour) and ("behind", the background),
    None for a colour that cannot be judged. A page repeats its attributes: each is read once."""
    if key in ("color", "text"):  # <font color>, <body text>
        declared = [("color", value)]
    elif key == "bgcolor":
        declared = [("background-color", value)]
    elif "color" in (low := value.lower()) or "background" in low:  # most styles say neither
        declared = [(n.strip(), v) for n, sep, v in (part.partition(":") for part in low.split(";")) if sep]
    else:
        return ()
    rules: list[_Rule] = []
    for name, setting in declared:
        word = setting.replace("!important", "").strip().lower()
        if word in ("inherit", "unset", "revert"):
            continue
        if name in ("color", "-webkit-text-fill-color"):
            rules.append(("color", _colour(setting)))
        elif name in ("background", "background-color"):
            if _BACKGROUND_IMAGE.search(word):
                rules.append(("behind", None))  # an image, or a value a style sheet sets: what is behind is unknown
                continue
            found = _colour(setting) if name == "background-color" else next(
                (c for w in _COLOUR_WORD.findall(word) if (c := _colour(w)) is not None), None
            )
            if found is None and name == "background-color" and word not in ("none", "initial"):
                rules.append(("behind", None))  # a colour this reader cannot judge
            elif found is not None and found[3] > 0:  # else transparent: the parent's shows through
                rules.append(("behind", found))
    return tuple(rules)


def paint_of(attrs: list[tuple[str, str | None]], inherited: Paint) -> Paint:
    """The text colour an element draws with and the colour behind it: its own (legacy attributes, then its
    inline style) over those it inherits. None where a page's style sheet or an image may decide."""
    colour, behind = inherited
    for key, value in attrs:
        if value is None or key not in _PAINT_KEYS:
            continue
        for what, setting in _rules(key, value):
            if what == "color":
                colour = setting
            elif setting is None or setting[3] >= 1:
                behind = setting
            else:  # a translucent background over the one behind it
                behind = None if behind is None else _over(setting, behind)
    return colour, behind


def is_unseen(paint: Paint) -> bool:
    """Text drawn in a transparent colour, or in (about) the colour behind it: white on white reads as nothing."""
    colour, behind = paint
    if colour is None:
        return False
    if colour[3] <= 0:
        return True
    if behind is None:
        return False
    drawn = _over(colour, behind)
    return all(abs(drawn[i] - behind[i]) <= _SAME_COLOUR for i in range(3))


def _zero(value: str) -> bool:
    try:
        return _number(value) == 0
    except ValueError:
        return False


def _scaled_away(style: str) -> bool:
    """``transform: scale(0)``, ``scaleX(0)``, ``scale(1, 0)``, ``scale3d(0, ...)``, ``matrix(0, 0, 0, 0, ...)`` or
    ``scale: 0``: an axis drawn at no size, so its text takes no room and is never seen."""
    if "scale" not in style and "matrix" not in style:
        return False
    for m in _SCALE.finditer(style):
        name = (m[1] or "scale").lower()
        values = [v for v in re.split(r"[\s,]+", (m[2] if m[1] else m[3]).strip()) if v]
        if name == "matrix":  # matrix(a, b, c, d, e, f): an axis vanishes when its column is zero
            if len(values) >= 4 and any(_zero(values[i]) and _zero(values[i + 1]) for i in (0, 2)):
                return True
        elif any(_zero(v) for v in values[: 1 if name in ("scalex", "scaley") else 2]):
            return True
    return False


def _tiny_font(style: str) -> bool:
    return "font-size" in style and any(float(m[1]) < _TINY_FONT[m[2].lower()] for m in _FONT_SIZE.finditer(style))


def is_hidden(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """Hidden from a reader by the markup itself: never rendered (``<template>``, a ``<dialog>`` not open),
    or hidden by an attribute or an inline style. Hidden text is a classic place to plant instructions;
    both extractors ask this, and :func:`is_unseen` for text drawn in its background's colour."""
    if tag == "template" or (tag == "dialog" and not any(key == "open" for key, _ in attrs)):
        return True
    for key, value in attrs:
        if key == "hidden":
            return True
        if key == "aria-hidden" and (value or "").strip().lower() == "true":
            return True
        if key == "style" and value and _style_hides(value):
            return True
    return False


@functools.lru_cache(maxsize=4096)
def _style_hides(style: str) -> bool:
    """An inline style that hides its element (see :func:`~summarizer.inputs.html.html_to_text`); a page repeats its styles."""
    style = style.lower()  # CSS names are case-insensitive: SCALE(0) hides as scale(0) does
    return bool(
        _HIDDEN_STYLE.search(style) or (_ZERO_BOX.search(style) and _CLIPPED.search(style))
        or _scaled_away(style) or _tiny_font(style)
    )
