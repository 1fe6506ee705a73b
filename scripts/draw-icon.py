#!/usr/bin/env python3
"""Draws the cf-scale icon: .claude-plugin/icon.png (1024x1024 PNG, RGBA).

An orange (#F38020) rounded square with four ascending white bars and a rising trend arrow:
scaling on Cloudflare's edge. Drawn at 4x and scaled down for smooth edges; no fonts, no inputs,
so the pixels depend only on Pillow (tested with Pillow 13.0.0).

    python3 scripts/draw-icon.py [OUT.png]     # default: .claude-plugin/icon.png beside this script

scripts/e2e-bundle.sh installs Pillow into its cache and checks that the committed icon has the
pixels this script draws.
"""

import math
import pathlib
import sys

from PIL import Image, ImageDraw

SIZE = 1024  # final size in pixels
SS = 4  # supersampling factor
ORANGE = (0xF3, 0x80, 0x20, 255)
DEEP = (0xD9, 0x66, 0x0C, 255)  # a darker orange for the lower half of the background
WHITE = (255, 255, 255, 255)


def s(v):
    """A length at final size to supersampled pixels."""
    return round(v * SS)


def background(size):
    """The rounded square: #F38020, darkening slightly towards the bottom."""
    w = s(size)
    grad = Image.new("RGBA", (w, w))
    px = ImageDraw.Draw(grad)
    for y in range(w):
        t = max(0.0, (y / (w - 1) - 0.45) / 0.55)  # flat top half, then a gentle slope
        t = t * t * 0.55
        c = tuple(round(a + (b - a) * t) for a, b in zip(ORANGE, DEEP))
        px.line([(0, y), (w, y)], fill=c)
    mask = Image.new("L", (w, w), 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, w - 1, w - 1], radius=s(size * 0.225), fill=255)
    out = Image.new("RGBA", (w, w), (0, 0, 0, 0))
    out.paste(grad, (0, 0), mask)
    return out


def draw_bars(d):
    """Four ascending bars with rounded corners on a common baseline."""
    base = 818
    width, gap = 118, 52
    heights = [150, 250, 360, 480]
    left = (SIZE - (len(heights) * width + (len(heights) - 1) * gap)) / 2
    tops = []
    for i, h in enumerate(heights):
        x0 = left + i * (width + gap)
        d.rounded_rectangle([s(x0), s(base - h), s(x0 + width), s(base)], radius=s(26), fill=WHITE)
        tops.append((x0 + width / 2, base - h))
    return tops


def draw_trend(d, tops):
    """A rising line above the bar tops, ending in an arrowhead to the upper right."""
    lift, stroke = 92, 40
    pts = [(x, y - lift) for x, y in tops]
    # start a little to the left of the first bar and run past the last one
    (x0, y0), (x1, y1) = pts[0], pts[1]
    start = (x0 - (x1 - x0) * 0.45, y0 - (y1 - y0) * 0.45)
    (xa, ya), (xb, yb) = pts[-2], pts[-1]
    ang = math.atan2(yb - ya, xb - xa)
    head = 104
    tip = (xb + math.cos(ang) * 70, yb + math.sin(ang) * 70)
    neck = (tip[0] - math.cos(ang) * head * 0.8, tip[1] - math.sin(ang) * head * 0.8)
    line = [start, *pts[:-1], neck]
    d.line([(s(x), s(y)) for x, y in line], fill=WHITE, width=s(stroke), joint="curve")
    for x, y in (start, *pts[:-1]):
        r = stroke / 2
        d.ellipse([s(x - r), s(y - r), s(x + r), s(y + r)], fill=WHITE)
    # arrowhead: a triangle with its base centred on the neck
    nx, ny = -math.sin(ang), math.cos(ang)
    half = head * 0.62
    base_c = (tip[0] - math.cos(ang) * head, tip[1] - math.sin(ang) * head)
    tri = [tip, (base_c[0] + nx * half, base_c[1] + ny * half), (base_c[0] - nx * half, base_c[1] - ny * half)]
    d.polygon([(s(x), s(y)) for x, y in tri], fill=WHITE)


def draw():
    img = background(SIZE)
    d = ImageDraw.Draw(img)
    tops = draw_bars(d)
    draw_trend(d, tops)
    return img.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def main():
    default = pathlib.Path(__file__).resolve().parent.parent / ".claude-plugin" / "icon.png"
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else default
    draw().save(out, format="PNG", optimize=True)
    print(f"draw-icon: wrote {out} ({SIZE}x{SIZE})")


if __name__ == "__main__":
    main()
