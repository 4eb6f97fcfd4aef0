"""The latency chart of `make bench-scale`, drawn with Pillow (no plotting library)."""

import math

from PIL import Image, ImageDraw

COLOURS = [
    (31, 95, 168), (178, 106, 0), (46, 125, 50), (141, 110, 99), (106, 27, 154),
    (0, 131, 143), (198, 40, 40), (85, 85, 85), (240, 98, 146), (120, 144, 156),
]  # fmt: skip


def draw(medians, path, size=(900, 560)):
    """`medians`: {items: {page: median ms}}. One line a page, sizes on a log scale."""
    image = Image.new("RGB", size, "white")
    pen = ImageDraw.Draw(image)
    left, top, right, bottom = 70, 30, size[0] - 220, size[1] - 60
    sizes = sorted(medians)
    pages = list(medians[sizes[0]])
    highest = max(max(values.values()) for values in medians.values()) or 1

    def x(items):
        if len(sizes) == 1:
            return left
        low, high = math.log10(sizes[0]), math.log10(sizes[-1])
        return left + (math.log10(items) - low) / (high - low) * (right - left)

    def y(ms):
        return bottom - ms / highest * (bottom - top)

    pen.line([(left, top), (left, bottom), (right, bottom)], fill="black")
    for items in sizes:
        pen.text((x(items) - 20, bottom + 8), f"{items:,}", fill="black")
    for step in range(5):
        value = highest * step / 4
        pen.text((5, y(value) - 6), f"{value:.0f} ms", fill="black")
    pen.text((left, 8), "Median latency by archive size (page cache off)", fill="black")
    for index, page in enumerate(pages):
        colour = COLOURS[index % len(COLOURS)]
        points = [(x(items), y(medians[items][page])) for items in sizes]
        if len(points) > 1:
            pen.line(points, fill=colour, width=2)
        for point in points:
            pen.ellipse([point[0] - 3, point[1] - 3, point[0] + 3, point[1] + 3], fill=colour)
        pen.text((right + 20, top + index * 18), page, fill=colour)
    image.save(path)
