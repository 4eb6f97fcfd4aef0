# ruff: noqa: E501  (XML boilerplate reads better on one line)
"""
Pictures and documents for the demo archive, made here: drawings of what the
demo items are about (the member states' flags, their map, a video
conference), labelled as drawings, and DOCX files holding the demo
statements' text. The map's outlines are Natural Earth's (public domain),
see docs/media.md.
"""

import io
import json
import math
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

CSTO_BLUE = (11, 61, 110)
MEMBER_STATES_GEOJSON = Path(__file__).parent / "data" / "member_states.geo.json"
MEMBER_STATES = ("Armenia", "Belarus", "Kazakhstan", "Kyrgyzstan", "Russia", "Tajikistan")


def jpeg(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=82, optimize=True)
    return buffer.getvalue()


def captioned(picture: Image.Image, caption: str, top: float, size: float) -> Image.Image:
    """The picture with its caption written in white across its foot."""
    ImageDraw.Draw(picture).text(
        (picture.width * 0.03, top), caption, fill=(255, 255, 255), font=font(round(size))
    )
    return picture


def font(size: int) -> ImageFont.FreeTypeFont:
    # Pillow's own font: the same pictures on every machine, with no font files installed.
    return ImageFont.load_default(size=size)


def star(draw, centre, radius, fill):
    """A five-pointed star standing on two points."""
    points = []
    for corner in range(10):
        reach = radius if corner % 2 == 0 else radius * 0.4
        angle = math.pi / 2 + corner * math.pi / 5
        points.append((centre[0] + reach * math.cos(angle), centre[1] - reach * math.sin(angle)))
    draw.polygon(points, fill=fill)


def sun(draw, centre, radius, rays, fill):
    """A disc with straight rays around it, as on the Kazakh and Kyrgyz flags."""
    for ray in range(rays):
        angle = 2 * math.pi * ray / rays
        spread = math.pi / rays * 0.6
        tip = (
            centre[0] + radius * 1.6 * math.cos(angle),
            centre[1] + radius * 1.6 * math.sin(angle),
        )
        left = (
            centre[0] + radius * math.cos(angle - spread),
            centre[1] + radius * math.sin(angle - spread),
        )
        right = (
            centre[0] + radius * math.cos(angle + spread),
            centre[1] + radius * math.sin(angle + spread),
        )
        draw.polygon([left, tip, right], fill=fill)
    draw.ellipse(
        [centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius], fill=fill
    )


def flag(country: str, height: int) -> Image.Image:
    """A member state's flag in its own proportions, its emblems drawn simply."""
    ratio = {"Kyrgyzstan": 5 / 3, "Russia": 3 / 2}.get(country, 2)
    width = round(height * ratio)
    picture = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    w, h = width, height
    if country == "Armenia":
        for band, colour in enumerate([(217, 0, 18), (0, 51, 160), (242, 168, 0)]):
            draw.rectangle([0, h * band / 3, w, h * (band + 1) / 3], fill=colour)
    elif country == "Russia":
        for band, colour in enumerate([(255, 255, 255), (0, 57, 166), (213, 43, 30)]):
            draw.rectangle([0, h * band / 3, w, h * (band + 1) / 3], fill=colour)
    elif country == "Belarus":
        red = (200, 49, 62)
        draw.rectangle([0, 0, w, h * 2 / 3], fill=red)
        draw.rectangle([0, h * 2 / 3, w, h], fill=(67, 176, 42))
        band = w / 9
        draw.rectangle([0, 0, band, h], fill="white")
        step = band * 0.8
        y = 0.0
        while y < h:
            middle = band / 2
            draw.polygon(
                [
                    (middle, y),
                    (band * 0.9, y + step / 2),
                    (middle, y + step),
                    (band * 0.1, y + step / 2),
                ],
                fill=red,
            )
            draw.polygon(
                [
                    (middle, y + step * 0.3),
                    (band * 0.65, y + step / 2),
                    (middle, y + step * 0.7),
                    (band * 0.35, y + step / 2),
                ],
                fill="white",
            )
            y += step
    elif country == "Kazakhstan":
        gold = (254, 197, 0)
        draw.rectangle([0, 0, w, h], fill=(0, 175, 202))
        sun(draw, (w / 2, h * 0.42), h * 0.16, 32, gold)
        # The steppe eagle under the sun, its wings spread.
        draw.polygon(
            [
                (w * 0.32, h * 0.7),
                (w / 2, h * 0.78),
                (w * 0.68, h * 0.7),
                (w * 0.56, h * 0.8),
                (w / 2, h * 0.86),
                (w * 0.44, h * 0.8),
            ],
            fill=gold,
        )
        step = h / 10
        for row in range(10):
            top = row * step
            draw.polygon(
                [
                    (w * 0.03, top + step / 2),
                    (w * 0.06, top),
                    (w * 0.09, top + step / 2),
                    (w * 0.06, top + step),
                ],
                outline=gold,
                width=max(1, h // 60),
            )
    elif country == "Kyrgyzstan":
        red = (232, 17, 45)
        gold = (255, 239, 0)
        draw.rectangle([0, 0, w, h], fill=red)
        centre = (w / 2, h / 2)
        radius = h * 0.2
        sun(draw, centre, radius, 40, gold)
        draw.ellipse(
            [
                centre[0] - radius * 0.75,
                centre[1] - radius * 0.75,
                centre[0] + radius * 0.75,
                centre[1] + radius * 0.75,
            ],
            fill=red,
        )
        # The tunduk: the crossed laths of a yurt's crown.
        line = max(2, h // 40)
        for offset in (-0.3, 0, 0.3):
            draw.line(
                [
                    (centre[0] + radius * offset - radius * 0.6, centre[1] - radius * 0.6),
                    (centre[0] + radius * offset + radius * 0.6, centre[1] + radius * 0.6),
                ],
                fill=gold,
                width=line,
            )
            draw.line(
                [
                    (centre[0] + radius * offset + radius * 0.6, centre[1] - radius * 0.6),
                    (centre[0] + radius * offset - radius * 0.6, centre[1] + radius * 0.6),
                ],
                fill=gold,
                width=line,
            )
    elif country == "Tajikistan":
        gold = (248, 195, 0)
        draw.rectangle([0, 0, w, h * 2 / 7], fill=(204, 0, 0))
        draw.rectangle([0, h * 5 / 7, w, h], fill=(0, 102, 51))
        crown = (w / 2, h * 0.53)
        draw.rectangle(
            [crown[0] - h * 0.09, crown[1] - h * 0.02, crown[0] + h * 0.09, crown[1] + h * 0.03],
            fill=gold,
        )
        draw.pieslice(
            [crown[0] - h * 0.08, crown[1] - h * 0.12, crown[0] + h * 0.08, crown[1] + h * 0.04],
            180,
            360,
            fill=gold,
        )
        for number in range(7):
            angle = math.pi * (0.15 + 0.7 * number / 6)
            star(
                draw,
                (
                    crown[0] - h * 0.2 * math.cos(angle),
                    crown[1] - h * 0.04 - h * 0.2 * math.sin(angle),
                ),
                h * 0.035,
                gold,
            )
    return picture


def flags(width: int, height: int, caption: str) -> bytes:
    """The six member states' flags on their poles in a row, as at a ministers' meeting."""
    picture = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(picture)
    wall, floor = (226, 230, 236), (178, 186, 198)
    for y in range(height):
        mix = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(round(wall[i] * (1 - mix) + floor[i] * mix) for i in range(3)),
        )
    slot = width / len(MEMBER_STATES)
    # Each flag in its own proportions, the widest (2:1) filling its place.
    flag_height = round(slot * 0.78 / 2)
    label = font(round(height * 0.045))
    floor_line = height * 0.6
    for number, country in enumerate(MEMBER_STATES):
        pole = slot * number + slot * 0.18
        top = height * 0.12
        draw.rectangle([pole - 5, top - 10, pole + 5, floor_line], fill=(120, 126, 136))
        draw.ellipse([pole - 11, top - 26, pole + 11, top - 4], fill=(196, 160, 60))
        cloth = flag(country, flag_height)
        picture.paste(cloth, (round(pole + 5), round(top)))
        draw.text((pole + 5, top + flag_height + 14), country, fill=(40, 48, 60), font=label)
    draw.rectangle([0, floor_line, width, height], fill=(92, 64, 44))
    draw.rectangle([0, floor_line, width, floor_line + height * 0.02], fill=(120, 88, 62))
    return jpeg(captioned(picture, caption, top=height * 0.76, size=height * 0.06))


def member_states_map(width: int, height: int, caption: str) -> bytes:
    """The member states on a map (an equirectangular projection around Central Asia)."""
    west, east, south, north = 18.0, 192.0, 33.0, 82.0
    stretch = math.cos(math.radians(55))
    picture = Image.new("RGB", (width, height), (214, 230, 242))
    draw = ImageDraw.Draw(picture)
    margin = width * 0.04
    scale = min(
        (width - 2 * margin) / ((east - west) * stretch),
        (height * 0.82 - 2 * margin) / (north - south),
    )

    def point(lon, lat):
        # Chukotka lies across the date line: its western half continues east of 180.
        lon = lon + 360 if lon < 0 else lon
        return (margin + (lon - west) * stretch * scale, margin + (north - lat) * scale)

    for lon in range(20, 200, 20):
        draw.line([point(lon, south), point(lon, north)], fill=(190, 210, 226), width=1)
    for lat in range(40, 90, 10):
        draw.line([point(west, lat), point(east, lat)], fill=(190, 210, 226), width=1)
    shades = [
        (11, 61, 110),
        (38, 98, 152),
        (72, 132, 186),
        (24, 80, 132),
        (52, 112, 166),
        (88, 148, 196),
    ]
    collection = json.loads(MEMBER_STATES_GEOJSON.read_text())
    for shade, feature in zip(shades, collection["features"], strict=True):
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        for polygon in polygons:
            outline = [point(lon, lat) for lon, lat in polygon[0]]
            if len(outline) > 2:
                draw.polygon(outline, fill=shade, outline=(255, 255, 255))
    label = font(round(height * 0.03))
    places = {
        "Russia": (95, 63),
        "Kazakhstan": (62, 48.5),
        "Belarus": (18.5, 51.5),
        "Armenia": (33, 38.5),
        "Kyrgyzstan": (80.5, 42.5),
        "Tajikistan": (63, 36),
    }
    for country, (lon, lat) in places.items():
        x, y = point(lon, lat)
        draw.text(
            (x, y),
            country,
            fill=(255, 255, 255) if country in ("Russia", "Kazakhstan") else (20, 40, 70),
            font=label,
        )
    draw.rectangle([0, height * 0.84, width, height], fill=CSTO_BLUE)
    return jpeg(captioned(picture, caption, top=height * 0.89, size=height * 0.036))


def video_conference(width: int, height: int, caption: str) -> bytes:
    """A video conference's screen: the member states' ministers and the Secretariat in a grid."""
    picture = Image.new("RGB", (width, height), (30, 34, 40))
    draw = ImageDraw.Draw(picture)
    bar = height * 0.09
    draw.text(
        (width * 0.02, bar * 0.28), caption, fill=(235, 238, 242), font=font(round(bar * 0.4))
    )
    tiles = [*MEMBER_STATES, "CSTO Secretariat", "Crisis Response Center"]
    columns, rows, gap = 4, 2, 10
    tile_w = (width - gap * (columns + 1)) / columns
    tile_h = (height - bar - gap * (rows + 1)) / rows
    label = font(round(tile_h * 0.075))
    skins = [(224, 187, 160), (198, 156, 126), (236, 200, 176), (176, 134, 104)]
    suits = [(38, 44, 60), (52, 58, 70), (30, 36, 48), (64, 70, 84)]
    for number, name in enumerate(tiles):
        left = gap + (number % columns) * (tile_w + gap)
        top = bar + gap + (number // columns) * (tile_h + gap)
        draw.rectangle(
            [left, top, left + tile_w, top + tile_h], fill=(92 + number * 8, 104 + number * 5, 120)
        )
        # A bookcase or a wall panel behind each speaker.
        draw.rectangle(
            [left, top, left + tile_w, top + tile_h * 0.18], fill=(70 + number * 5, 78, 92)
        )
        if name in MEMBER_STATES:
            cloth = flag(name, round(tile_h * 0.3))
            picture.paste(cloth, (round(left + tile_w * 0.06), round(top + tile_h * 0.22)))
        else:
            draw.rectangle(
                [
                    left + tile_w * 0.06,
                    top + tile_h * 0.22,
                    left + tile_w * 0.36,
                    top + tile_h * 0.42,
                ],
                fill=CSTO_BLUE,
            )
            draw.text((left + tile_w * 0.1, top + tile_h * 0.26), "CSTO", fill="white", font=label)
        centre = left + tile_w * 0.6
        head = tile_h * 0.14
        draw.ellipse(
            [
                centre - tile_w * 0.2,
                top + tile_h * 0.62,
                centre + tile_w * 0.2,
                top + tile_h * 1.25,
            ],
            fill=suits[number % 4],
        )
        draw.rectangle(
            [centre - 8, top + tile_h * 0.55, centre + 8, top + tile_h * 0.68], fill=(232, 232, 232)
        )
        draw.ellipse(
            [
                centre - head * 0.8,
                top + tile_h * 0.28,
                centre + head * 0.8,
                top + tile_h * 0.28 + head * 2,
            ],
            fill=skins[number % 4],
        )
        draw.rectangle(
            [
                left + 8,
                top + tile_h - tile_h * 0.14,
                left + 8 + label.getlength(name) + 16,
                top + tile_h - 8,
            ],
            fill=(0, 0, 0),
        )
        draw.text((left + 16, top + tile_h - tile_h * 0.13), name, fill="white", font=label)
        if name == "Russia":
            # The chair's picture is the one framed as speaking.
            draw.rectangle(
                [left - 3, top - 3, left + tile_w + 3, top + tile_h + 3],
                outline=(90, 200, 120),
                width=5,
            )
    return jpeg(picture)


# Each drawing's size: the row of flags is a wide picture, the others 16:10.
DRAWINGS = {
    "flags": (flags, (1600, 560)),
    "member_states_map": (member_states_map, (1600, 1000)),
    "video_conference": (video_conference, (1600, 1000)),
}


def drawing(name: str, caption: str) -> bytes:
    """One of the demo's drawings as a JPEG, its caption written on it."""
    draw, (width, height) = DRAWINGS[name]
    return draw(width, height, caption)


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""
RELATIONSHIPS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""
DOCUMENT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}</w:body></w:document>"""


def docx(paragraphs: list[str]) -> bytes:
    """The smallest DOCX a word processor opens: one paragraph per string."""
    body = "".join(f"<w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p>" for text in paragraphs)
    buffer = io.BytesIO()
    parts = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELATIONSHIPS),
        ("word/document.xml", DOCUMENT.format(body)),
    ]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts:
            # A fixed time: the same text always makes the same bytes.
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            archive.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
