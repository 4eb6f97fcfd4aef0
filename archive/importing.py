"""
Reading text copied from the CSTO site into news items.

The site has several layouts, and a copy may hold any mix of them:

- a whole page whose title is repeated with its date ("Title 26.05.2020");
- a whole page whose title is followed by the date alone ("21.09.2018");
- a whole page with no date line, the date only in its text ("July 12,
  this year"): one item, flagged for its date;
- list pages: a date line, then a teaser of one or more paragraphs, with or
  without a title of its own;
- loose teasers, separated by two blank lines, whose date is read from the
  text ("On 25 July 2024", "On May 26, 2020", "26 мая 2020 года").

Around them: navigation lines ("Go back", "Вернуться назад", ...) that end a
page, sidebar lines (other pages' titles) before or after it, photo file
names inside paragraphs, a signature ("Генеральный секретарь ОДКБ
Ю.Хачатуров") with telephone and fax lines after it. docs/import-export.md
describes each layout.

`parse(text)` returns what it found as `Entry` objects without touching the
database; `import_entry()` then creates or updates the item (the command is
archive/management/commands/import_pages.py).
"""

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_noop

from .models import Body, MediaLink, NewsItem, Person, Status, Topic
from .sanitize import html_to_text, sanitize_html
from .services import note, record_revision, record_system_transition
from .slugs import slug_for

# "21.09.2018", sometimes with the time of publication after it.
DATE_LINE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})(?:\s+\d{1,2}:\d{2})?$")
# What is left of a date line where the copy stops: "16.01.20", "16.0".
CUT_DATE_LINE = re.compile(r"^\d{1,2}\.(\d{0,2}(\.\d{0,3})?)?$")
TITLE_WITH_DATE = re.compile(r"^(?P<title>.+?)\s+(?P<d>\d{2})\.(?P<m>\d{2})\.(?P<y>\d{4})$")
MEDIA_LINE = re.compile(r"^(?P<heading>[^:]{3,300}?)\s*:\s*(?P<url>https?://\S+?)\s*$")
# The page's own address, when whoever copied it pasted it in too.
SOURCE_LINE = re.compile(r"^(?:(?:source|url|источник|адрес)\s*:\s*)?(?P<url>https?://\S+)$", re.I)
# A photo's file name left in the text where the picture was: "ZVF_6437.JPGValery",
# "IMG_2231.JPGthe". It starts where a word does, so that a long run of
# letters is read once, not once from each of its letters.
PHOTO = re.compile(
    r"(?<![A-Za-z0-9_-])[A-Za-z0-9][A-Za-z0-9_-]*\.(?:JPE?G|PNG|GIF|(?:jpe?g|png|gif)(?![a-z]))"
)
NAVIGATION = {
    "go back",
    "back",
    "back to the section",
    "back to section",
    "back to the all news",
    "back to all news",
    "all news",
    "latest news",
    "other news",
    "see also",
    "news",
    "home",
    "print version",
    "print",
    "share",
    "back to list",
    "back to the list",
    "назад",
    "вернуться назад",
    "вернуться",
    "назад в раздел",
    "вернуться в раздел",
    "возврат к разделу",
    "назад к разделу",
    "вернуться к разделу",
    "назад ко всем новостям",
    "вернуться ко всем новостям",
    "все новости",
    "к списку новостей",
    "последние новости",
    "другие новости",
    "читайте также",
    "новости",
    "главная",
    "версия для печати",
    "печать",
    "поделиться",
    "назад к списку",
}
# Who signs a page: a press secretary, a spokesman, or a position and a name.
SIGNATURE_WORDS = re.compile(
    r"press secretary|press service|press office|spokes(?:man|woman|person)|secretary general"
    r"|official representative|пресс-секретар|пресс-служб|генеральн\w* секретар"
    r"|официальн\w* представител",
    re.IGNORECASE,
)
# A position alone ("Head of the CSTO Secretariat's Information Department")
# signs a page only as its last line: elsewhere it may begin a headline.
POSITION_WORDS = re.compile(
    r"\b(?:head of|chief of|director|начальник|руководител|директор)", re.IGNORECASE
)
# "Ю.Хачатуров", "V. Zainetdinov": a name signed with initials.
INITIALS_NAME = re.compile(r"(?:^|\s)[A-ZА-ЯЁ]\.\s?(?:[A-ZА-ЯЁ]\.\s?)?[A-ZА-ЯЁ][a-zа-яё-]+$")
CONTACT_WORDS = re.compile(
    r"\b(?:tel|fax|phone|e-?mail|тел|факс|телефон|эл\.\s?почта)\b\.?", re.IGNORECASE
)
# Starting only where a word does, so that a long run of text is read once.
EMAIL = re.compile(r"(?<!\S)[^\s@]+@[^\s@]+\.\w+")
# A full stop after a word, then a capital: a sentence ends and another starts.
SENTENCE_BREAK = re.compile(r"[a-zа-яё»”)]{2}[.!?]\s+[«“\"A-ZА-ЯЁ]")
TEXT_ENDINGS = (".", "…", ":", ";", ",")
HEADLINE_LIMIT = 250

MONTHS_EN = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
MONTHS_RU = {
    name: number
    for number, name in enumerate(
        [
            "января",
            "февраля",
            "марта",
            "апреля",
            "мая",
            "июня",
            "июля",
            "августа",
            "сентября",
            "октября",
            "ноября",
            "декабря",
        ],
        start=1,
    )
}
EN = "|".join(MONTHS_EN)
RU = "|".join(MONTHS_RU)
DATE_PATTERNS = [
    # 25 July 2024 / 26 мая 2020 (года)
    (re.compile(rf"\b(\d{{1,2}})\s+({EN}|{RU})\s+(\d{{4}})", re.IGNORECASE), "dmy"),
    # May 26, 2020
    (re.compile(rf"\b({EN})\s+(\d{{1,2}}),?\s+(\d{{4}})", re.IGNORECASE), "mdy"),
    # 26.05.2020
    (re.compile(r"\b(\d{2})\.(\d{2})\.(\d{4})\b"), "numeric"),
]
# A date written out, alone on its line: "21 сентября 2018 г.", "September 21, 2018".
TEXT_DATE_LINE = re.compile(
    rf"^(\d{{1,2}}\s+({EN}|{RU})\s+\d{{4}}(\s*(г\.|года))?|({EN})\s+\d{{1,2}},?\s+\d{{4}})$",
    re.IGNORECASE,
)
# A day and month without the year ("July 12, this year", "14 октября с.г."):
# not enough to date an item, but it tells the editor where to look.
DAY_AND_MONTH = re.compile(
    rf"\b\d{{1,2}}\s+({EN}|{RU})(\s+(с\.\s?г\.|т\.\s?г\.|текущего года|this year))?"
    rf"|\b({EN})\s+\d{{1,2}}(,?\s+this year)?",
    re.IGNORECASE,
)
# A date at the start of a teaser, left out of the title made from it.
LEADING_DATE = re.compile(
    rf"^(on\s+)?(\d{{1,2}}\s+({EN}|{RU})(\s+\d{{4}})?(\s+(года|г\.))?|({EN})\s+\d{{1,2}}(,\s*\d{{4}})?)\s*,?\s*",
    re.IGNORECASE,
)
TITLE_LIMIT = 150
# The longest text compared whatever its case (see same_text).
MATCH_IGNORING_CASE_LIMIT = 2000
MOSCOW = ZoneInfo("Europe/Moscow")

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
LATIN = re.compile(r"[a-z]", re.IGNORECASE)


@dataclass
class Paragraph:
    """One line of the copy: browsers copy a paragraph as one line."""

    text: str
    line: int  # counting from 1
    blanks_before: int
    photos: list[str] = field(default_factory=list)


@dataclass
class Entry:
    """One news item as the text gives it."""

    kind: str  # "page", "list" or "teaser"
    line: int
    title: str
    lead: str = ""
    body: list[str] = field(default_factory=list)
    date: datetime.date | None = None
    media_heading: str = ""
    media_links: list[str] = field(default_factory=list)
    signature: str = ""
    contact: str = ""
    source_url: str = ""
    # Photo file names taken out of the text, for an editor to attach the photos.
    photos: list[str] = field(default_factory=list)
    # The title was made from the first sentence: the copy gave none.
    made_title: bool = False
    # The copy stops inside this entry: it is reported, never imported.
    cut_off: bool = False
    # A date the text gives that no calendar has ("impossible date 31.02.2024").
    date_problem: str = ""
    # Where an undated entry's text names a day without its year.
    date_hint: str = ""

    @property
    def text(self):
        return "\n".join([self.title, self.lead, *self.body, self.signature])

    @property
    def language(self):
        return language_of(self.text)

    @property
    def headline_only(self):
        """Nothing but headlines: a sidebar's teaser, not a news item."""
        return all(looks_like_title(text) for text in [self.lead, *self.body] if text)


@dataclass
class Block:
    """The lines of one entry, before they are told apart."""

    kind: str
    line: int
    title: Paragraph | None = None
    date_line: Paragraph | None = None
    texts: list[Paragraph] = field(default_factory=list)

    @property
    def cut_off(self):
        """The copy stops at this entry's date line: what follows it is missing."""
        return self.date_line is not None and (
            CUT_DATE_LINE.match(self.date_line.text) is not None or not self.texts
        )


def paragraphs(text):
    """Every non-blank line, tidied, with the photo file names taken out of it."""
    result, blanks, waiting = [], 0, []
    for number, line in enumerate(text.splitlines(), start=1):
        photos = PHOTO.findall(line)
        # Web pages scatter no-break spaces where plain ones are meant.
        line = " ".join(PHOTO.sub(" ", line).replace("\xa0", " ").split())
        if not line:
            if photos and result:
                result[-1].photos += photos  # a photo alone on its line: the text's before it
            elif photos:
                waiting += photos
            else:
                blanks += 1
            continue
        result.append(Paragraph(line, number, blanks, waiting + photos))
        blanks, waiting = 0, []
    return result


def is_navigation(paragraph):
    return paragraph.text.strip(' .«»"<>←→').casefold() in NAVIGATION


def looks_like_title(text):
    """A headline: one short line that is not a sentence of running text."""
    return (
        bool(text)
        and len(text) <= HEADLINE_LIMIT
        and not text.endswith(TEXT_ENDINGS)
        and not SENTENCE_BREAK.search(text)
        and not DATE_LINE.match(text)
        and not TEXT_DATE_LINE.match(text)
        and not MEDIA_LINE.match(text)
        and not SOURCE_LINE.match(text)
        and not looks_like_contact(text)
        and any(character.isalpha() for character in text)
    )


def looks_like_signature(text, last=False):
    """A position and a name at the end of a page (`last`: its last line), not a sentence."""
    return (
        len(text) <= 120
        and len(text.split()) <= 10
        and looks_like_title(text)
        and bool(
            SIGNATURE_WORDS.search(text)
            or INITIALS_NAME.search(text)
            or (last and POSITION_WORDS.search(text))
        )
    )


def looks_like_contact(text):
    """A telephone, fax or e-mail line: "+ 7495-621-33-23-tel / fax"."""
    rest = EMAIL.sub("", CONTACT_WORDS.sub("", text))
    has_number = sum(character.isdigit() for character in text) >= 5
    return (has_number or bool(EMAIL.search(text))) and not any(c.isalpha() for c in rest)


def parse(text):
    """Every entry the text holds, in the order it gives them."""
    entries = []
    for block in blocks(paragraphs(text)):
        if block.kind == "loose":
            entries += parse_loose(block.texts)
        else:
            entries.append(entry_from(block))
    # Headlines alone beside a whole page are its sidebar (other pages'
    # titles); undated, they are a menu or a list's heading anywhere.
    beside_page = any(entry.kind == "page" and not entry.cut_off for entry in entries)
    return [
        entry
        for entry in entries
        if entry.title
        and (
            (entry.cut_off and not (beside_page and entry.headline_only))
            or not entry.headline_only
            or (entry.kind == "list" and not beside_page)
        )
    ]


def blocks(paras):
    """The copy cut into entries' lines; "loose" blocks hold teasers and stray lines."""
    result, loose, current = [], Block("loose", 0), None

    def close():
        nonlocal current, loose
        if loose.texts:
            result.append(loose)
            loose = Block("loose", 0)
        if current is not None:
            result.append(current)
            current = None

    index = 0
    while index < len(paras):
        para = paras[index]
        if is_navigation(para):
            close()  # navigation links end a page
        elif starts_repeated_title_page(paras, index):
            close()
            current = Block("page", para.line, title=para, date_line=paras[index + 1])
            index += 1
        elif is_date_line(paras, index):
            title, first = date_line_title(paras, index, current, loose)
            close()
            kind = "page" if title is not None and title.line < para.line else "list"
            start = title.line if title is not None and kind == "page" else para.line
            current = Block(kind, start, title=title, date_line=para)
            index = first - 1
        elif current is not None:
            current.texts.append(para)
        elif starts_title_with_date(paras, index):
            close()
            title = Paragraph(TITLE_WITH_DATE.match(para.text)["title"], para.line, 0, para.photos)
            current = Block("page", para.line, title=title, date_line=para)
        elif starts_undated_page(paras, index):
            close()
            current = Block("page", para.line, title=para)
        else:
            loose.texts.append(para)
        index += 1
    close()
    move_source_lines(result)
    # Only the last entry can be cut off; an empty one before it is a stray date line.
    return [block for block in result if block is result[-1] or not block.cut_off]


def move_source_lines(result):
    """A page's address pasted above its title belongs to the page, not to the loose lines."""
    for block, following in zip(result, result[1:], strict=False):
        if block.kind == "loose" and following.kind != "loose":
            sources = [para for para in block.texts if is_source_line(para.text)]
            block.texts = [para for para in block.texts if para not in sources]
            following.texts[:0] = sources
    result[:] = [block for block in result if block.kind != "loose" or block.texts]


def is_date_line(paras, index):
    """A date alone on its line, or what is left of one where the copy stops."""
    text = paras[index].text
    return bool(DATE_LINE.match(text) or TEXT_DATE_LINE.match(text)) or (
        index == len(paras) - 1 and bool(CUT_DATE_LINE.match(text))
    )


def starts_repeated_title_page(paras, index):
    """The seed's layout: the title, then the title again with the date."""
    dated = index + 1 < len(paras) and TITLE_WITH_DATE.match(paras[index + 1].text)
    return bool(dated) and normalize(dated["title"]) == normalize(paras[index].text)


def starts_title_with_date(paras, index):
    """A headline ending with its date ("Title 26.05.2020"), then running text: a page."""
    dated = TITLE_WITH_DATE.match(paras[index].text)
    return (
        dated is not None
        and looks_like_title(dated["title"])
        and is_running_text(paras, index + 1)
        and not looks_like_title(paras[index + 1].text)
    )


def starts_undated_page(paras, index):
    """
    A headline followed by running text, outside any dated entry: a page
    with no date line. A headline may name a position ("Deputy Secretary
    General met ..."); a name signed with initials, or a line followed by
    contact details, is a signature instead.
    """
    following = paras[index + 1] if index + 1 < len(paras) else None
    return (
        looks_like_title(paras[index].text)
        and not INITIALS_NAME.search(paras[index].text)
        and following is not None
        and is_running_text(paras, index + 1)
        and not looks_like_title(following.text)
        and not looks_like_contact(following.text)
    )


def is_running_text(paras, index):
    """A line that belongs to an entry's text, not one that starts or ends an entry."""
    return (
        index < len(paras)
        and not is_navigation(paras[index])
        and not is_date_line(paras, index)
        and not starts_repeated_title_page(paras, index)
    )


def date_line_title(paras, index, current, loose):
    """
    The title of the entry whose date line is at `index`, and where its text starts.

    A list gives the title after the date; a whole page gives it before (the
    nearest headline, so that a sidebar line before it is left out). The
    title after the date is preferred, for a list page's heading also sits
    before its first date line.
    """
    after = index + 1
    if (
        is_running_text(paras, after)
        and looks_like_title(paras[after].text)
        and is_running_text(paras, after + 1)
    ):
        return paras[after], after + 1
    before = title_before(current, loose)
    return before, after


def title_before(current, loose):
    """The headline just before a date line, taken from the lines it would otherwise end."""
    holder = current if current is not None else loose
    if not holder.texts:
        return None
    last = holder.texts[-1]
    if not looks_like_title(last.text):
        return None
    if holder is current and looks_like_signature(last.text):
        return None  # the signature that ends the page before
    # Never the only text of an untitled teaser: that is the teaser itself.
    if holder is current and current.title is None and len(current.texts) == 1:
        return None
    return holder.texts.pop()


def entry_from(block):
    """An entry from the lines of a page or a list item."""
    texts = [para.text for para in block.texts]
    photos = [photo for para in block.texts for photo in para.photos]
    entry = Entry(kind=block.kind, line=block.line, title="", photos=photos)
    if block.title is not None:
        photos[:0] = block.title.photos
    texts = take_source(entry, texts)
    texts, entry.signature, entry.contact = split_ending(texts)
    texts = take_media_links(entry, texts)
    set_date(entry, block, texts)
    if block.title is not None:
        entry.title = block.title.text
        entry.lead, entry.body = (texts[0], texts[1:]) if texts else ("", [])
        if block.kind == "page":
            entry.lead = unglue(entry.lead, " ".join([entry.title, *entry.body]))
    elif texts:
        entry.title, entry.lead, entry.body = title_from(texts[0]), texts[0], texts[1:]
        entry.made_title = True
    # A signed text under its own title is a whole page, whichever side of its date the title is.
    if entry.signature and block.title is not None:
        entry.kind = "page"
    if block.cut_off:
        entry.cut_off = True
        entry.title = entry.title or block.date_line.text
    return entry


def set_date(entry, block, texts):
    """The date line's date; an entry without one is dated by its text, if it names a year."""
    if block.date_line is None:
        entry.date = find_date(" ".join(texts))
        hint = DAY_AND_MONTH.search(" ".join(texts)) if entry.date is None else None
        entry.date_hint = hint.group(0) if hint else ""
        return
    found = DATE_LINE.match(block.date_line.text) or TITLE_WITH_DATE.match(block.date_line.text)
    if found is None:
        entry.date = find_date(block.date_line.text)  # written out, or cut off: none
        return
    day, month, year = found.groups()[-3:]
    entry.date = make_date(int(year), int(month), int(day))
    if entry.date is None:
        entry.date_problem = f"impossible date {day}.{month}.{year}"


def take_source(entry, texts):
    """The page's own address, when whoever copied it pasted it above or below the text."""
    for index in (0, -1):
        if texts and is_source_line(texts[index]):
            entry.source_url = SOURCE_LINE.match(texts[index])["url"]
            return texts[1:] if index == 0 else texts[:-1]
    return texts


def is_source_line(text):
    """An address of the CSTO site alone on its line; other links belong to the text."""
    found = SOURCE_LINE.match(text)
    if found is None:
        return False
    try:
        host = urlsplit(found["url"]).hostname or ""
    except ValueError:  # "http://[": not an address at all
        return False
    return host == "odkb-csto.org" or host.endswith(".odkb-csto.org")


def split_ending(texts):
    """The text, the signature and the contact lines (telephone, fax) that end a page."""
    texts, contact = list(texts), []
    while texts and looks_like_contact(texts[-1]):
        contact.insert(0, texts.pop())
    signature = ""
    if len(texts) > 1 and looks_like_signature(texts[-1], last=True):
        signature = texts.pop()
        while texts and looks_like_contact(texts[-1]):
            contact.insert(0, texts.pop())
    return texts, signature, " ".join(contact)


def take_media_links(entry, texts):
    """Lines "Media about ...: <URL>" become the item's media links."""
    kept = []
    for text in texts:
        media = MEDIA_LINE.match(text)
        if media:
            entry.media_heading = entry.media_heading or media["heading"].strip()
            entry.media_links.append(media["url"])
        else:
            kept.append(text)
    return kept


WORD = re.compile(r"\w+", re.UNICODE)
# A list flattened by copying ("...Patriotic Waron confirmation...") glues an
# item's last word to the next item's first, most often one of these.
LIST_STARTS = {"on", "in", "of", "and", "to", "for", "with", "about", "о", "об", "по", "в", "на"}


def unglue(text, context):
    """
    Part words that copying glued together ("Waron" → "War; on") where the
    rest of the page (`context`) knows both halves and not the glued word.
    """
    known = set(WORD.findall(context))
    known_lower = {word.casefold() for word in known}

    def part(match):
        word = match.group(0)
        if word.casefold() in known_lower:
            return word
        for cut in range(2, len(word) - 1):
            left, right = word[:cut], word[cut:]
            if left in known and right in LIST_STARTS:
                return f"{left}; {right}"
        return word

    return WORD.sub(part, text)


def parse_loose(paras):
    """Loose teasers: two blank lines part teasers, one parts paragraphs of a teaser."""
    groups = []
    # A link alone outside any page is no teaser.
    for para in (para for para in paras if not SOURCE_LINE.match(para.text)):
        if groups and para.blanks_before < 2:
            groups[-1].append(para)
        else:
            groups.append([para])
    return [teaser(group) for group in groups]


def teaser(group):
    block = Block("teaser", group[0].line, texts=group)
    return entry_from(block)


def title_from(text):
    """A title for a teaser that has none: its first sentence, without a leading date."""
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-ZА-ЯЁ«“\"])", text.strip(), maxsplit=1)[0]
    sentence = LEADING_DATE.sub("", sentence).strip()
    sentence = sentence[:1].upper() + sentence[1:]
    if len(sentence) > TITLE_LIMIT:
        sentence = sentence[:TITLE_LIMIT].rsplit(" ", 1)[0]
        # A bracket the cut leaves open goes with the words after it.
        if sentence.count("(") > sentence.count(")"):
            sentence = sentence[: sentence.rindex("(")]
        sentence = sentence.rstrip(",;:–- ") + "…"
    return sentence.rstrip(".")


def find_date(text):
    """The first date the text names, or None."""
    found = []
    for pattern, order in DATE_PATTERNS:
        for match in pattern.finditer(text):
            date = date_from_match(match, order)
            if date:
                found.append((match.start(), date))
                break
    return min(found)[1] if found else None


def date_from_match(match, order):
    a, b, c = match.groups()
    if order == "dmy":
        month = MONTHS_EN.get(b.lower()) or MONTHS_RU.get(b.lower())
        return make_date(int(c), month, int(a))
    if order == "mdy":
        return make_date(int(c), MONTHS_EN[a.lower()], int(b))
    return make_date(int(c), int(b), int(a))


def make_date(year, month, day):
    try:
        return datetime.date(year, month, day)
    except (TypeError, ValueError):
        return None


def normalize(text):
    return " ".join(text.split()).casefold()


def language_of(text):
    cyrillic, latin = len(CYRILLIC.findall(text)), len(LATIN.findall(text))
    return "ru" if cyrillic > latin else "en"


def outlet_from(url):
    """'TASS' from .../smi/tass-rossiya-predlozhila-.../, else the site's name."""
    parts = urlsplit(url)
    segments = [segment for segment in parts.path.split("/") if segment]
    if len(segments) >= 2 and segments[-2] in {"smi", "media"} and "-" in segments[-1]:
        return segments[-1].split("-", 1)[0].upper()
    host = parts.hostname or url
    return host.removeprefix("www.")


# --- Into the database -------------------------------------------------------
# (the parsing above never touches it; what follows is what import_pages runs)

IMPORTED_FIELDS = [
    "title",
    "lead",
    "body",
    "event_date",
    "media_heading",
    "signature",
    "contact",
    "language",
]


@dataclass
class Outcome:
    result: str  # "created", "updated", "unchanged" or "skipped" (see `flags` for why)
    item: object
    flags: list[str]


def import_entry(entry, *, section, publish=False, source=""):
    """
    Create or update the news item `entry` describes; return an Outcome.

    An existing item is the one with the same source address (when the copy
    carries it), or the same title, date and section; else one in draft or
    review with the same title or lead (a teaser imported before, now met as
    a whole page). A published (or archived) item matched
    only by title or lead is never changed: if the import would change it,
    a new item is made instead, in review and flagged as like it. A field
    changes only while it still holds what an earlier import put there, or
    is empty: what an editor wrote is kept, and flagged as a conflict when
    the source changed it too.
    """
    values = {
        "title": entry.title[:500],
        "lead": entry.lead,
        # Stored as the item stores it, so that the next import compares like with like.
        "body": sanitize_html("\n\n".join(entry.body)),
        "event_date": entry.date.isoformat() if entry.date else None,
        "media_heading": entry.media_heading[:300],
        "signature": entry.signature[:300],
        "contact": entry.contact[:300],
        "language": entry.language,
    }
    # The same item for sure: its title, date and section are the entry's.
    same = Q(title__iexact=values["title"], event_date=entry.date, section=section)
    matches = Q(title__iexact=values["title"])
    if entry.lead:
        matches |= same_text("lead", entry.lead)
    if entry.kind == "page":
        # The page's title may be what a list page gave as a teaser.
        matches |= same_text("lead", values["title"])
    with transaction.atomic():
        item, clash = None, None
        if entry.source_url:
            item = NewsItem.objects.filter(source_url=entry.source_url).order_by("pk").first()
        item = item or NewsItem.objects.filter(same).order_by("pk").first()
        if item is None:
            # A weaker likeness (a lead, a title alone) may be a teaser met
            # again as a whole page, or an unrelated item: items that went
            # out (published or archived) are never changed on so little.
            similar = NewsItem.objects.filter(matches).order_by(Lower("title"), "pk")
            item = similar.filter(status__in=[Status.DRAFT, Status.REVIEW]).first()
            published = None if item else similar.first()
            if published is not None and not fields_to_update(published, values):
                flags = [entry.date_problem] if entry.date_problem else []
                return Outcome("unchanged", published, flags)
            clash = published
        flags = [entry.date_problem or "date missing"] if entry.date is None else []
        if clash is not None:
            flags.append(f"like the published “{clash.title[:70]}”")
        if item is None:
            item = NewsItem(section=section, slug=unique_slug(entry.title), import_data=values)
            apply(item, values)
            item.flags = ", ".join(flags)
            item.status = Status.DRAFT
            if entry.date:
                item.published_at = noon_in_moscow(entry.date)
            item.source_url = entry.source_url
            item.full_clean()
            item.save()
            result = "created"
            target = Status.PUBLISHED if publish and entry.date and not clash else Status.REVIEW
            if entry.date:
                NewsItem.objects.filter(pk=item.pk).update(status=target)
                item.status = target
                record_system_transition(item, Status.DRAFT, target, f"Imported from {source}")
        else:
            if cut_short(item, values):
                # A copy that stops mid-page would cut the item down to what it holds.
                return Outcome("skipped", item, [CUT_SHORT])
            changed = fields_to_update(item, values)
            apply(item, {name: values[name] for name in changed})
            if entry.source_url and not item.source_url:
                item.source_url = entry.source_url
                changed.append("source_url")
            if entry.date and item.published_at is None:
                item.published_at = noon_in_moscow(entry.date)
                item.flags = ""
                changed.append("published_at")
                if item.status == Status.DRAFT:
                    record_system_transition(
                        item, Status.DRAFT, Status.REVIEW, f"Date from {source}"
                    )
                    item.status = Status.REVIEW
            flags = [flag for flag in item.flags.split(", ") if flag]
            if entry.date_problem and entry.date_problem not in flags:
                flags.append(entry.date_problem)
            new_conflicts = [flag for flag in conflicts(item, values) if flag not in flags]
            if new_conflicts:
                # Kept on the item, so that the editor sees it until they clear it.
                flags += new_conflicts
                item.flags = ", ".join(flags)[:300]
                NewsItem.objects.filter(pk=item.pk).update(flags=item.flags)
            if changed:
                item.import_data = values
                item.version += 1
                item.full_clean()
                item.save()
            elif item.import_data != values:
                # Only remember what this import would have written.
                NewsItem.objects.filter(pk=item.pk).update(import_data=values)
            result = "updated" if changed else "unchanged"
        link_named(item, entry.text, Person, Body, Topic)
        add_media_links(item, entry, MediaLink)
        if result != "unchanged":
            record_revision(
                item=item,
                user=None,
                note=note(gettext_noop("Imported from %(source)s"), source=source),
            )
    return Outcome(result, item, flags)


def same_text(name, text):
    """
    Field `name` holds `text`, whatever its case; a text too long for that
    (SQLite's LIKE refuses patterns of some 50,000 characters) exactly.
    """
    if len(text) > MATCH_IGNORING_CASE_LIMIT:
        return Q(**{name: text})
    return Q(**{f"{name}__iexact": text})


CUT_SHORT = "cut off: its text is the start of the stored one"


def cut_short(item, values):
    """Whether the entry's text is the stored item's cut short: the same words, fewer of them."""
    new, whole = html_to_text(values["body"]), html_to_text(item.body)
    return bool(new) and len(new) < len(whole) and whole.startswith(new)


def fields_to_update(item, values):
    """The fields an import of `values` changes: those no editor changed since."""
    previous = item.import_data or {}
    changed = []
    for name in IMPORTED_FIELDS:
        current = stored(item, name)
        if name in previous and current != last_imported(previous, name):
            continue  # an editor changed it since: theirs stays
        if name not in previous and current not in ("", None):
            continue  # not ours to overwrite (curated by hand)
        if current != values[name]:
            changed.append(name)
    return changed


def conflicts(item, values):
    """Flags for the fields an editor changed since the last import and the source changed too."""
    previous = item.import_data or {}
    return [
        f"conflict with an editor ({name})"
        for name in IMPORTED_FIELDS
        if name in previous
        and stored(item, name) != last_imported(previous, name)
        and values[name] not in (last_imported(previous, name), stored(item, name))
    ]


def last_imported(previous, name):
    """What the last import wrote into the field, as the item stores it."""
    if name == "body":
        # Imports before bodies were compared as stored kept the raw text.
        return sanitize_html(previous[name])
    return previous[name]


def stored(item, name):
    value = getattr(item, name)
    return value.isoformat() if isinstance(value, datetime.date) else value


def apply(item, values):
    for name, value in values.items():
        if name == "event_date":
            value = datetime.date.fromisoformat(value) if value else None
        setattr(item, name, value)


def noon_in_moscow(date):
    """The time an item dated `date` went out: noon in Moscow, where the CSTO publishes."""
    return datetime.datetime.combine(date, datetime.time(12, 0), tzinfo=MOSCOW)


def unique_slug(title):
    base = slug_for(title) or "news"
    slug, number = base, 1
    while NewsItem.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base[:75]}-{number}"
    return slug


def link_named(item, text, *models):
    """Persons, bodies and topics the text names, in either language, added to those linked."""
    folded = normalize(text)
    for model in models:
        field = {"Person": "persons", "Body": "bodies", "Topic": "topics"}[model.__name__]
        named = [obj for obj in model.objects.all() if any(p.search(folded) for p in patterns(obj))]
        if named:
            getattr(item, field).add(*named)


# Endings a Russian name takes in a sentence ("Совета", "Тасмагамбетова").
RUSSIAN_VOWELS = "аеёиоуыэюяйь"


def patterns(obj):
    """What finds `obj` in folded text: its names, its acronym, a person's surname."""
    names = [name for name in (obj.name, obj.name_ru) if name]
    if len(getattr(obj, "acronym", "")) >= 3:
        names.append(obj.acronym)
    if isinstance(obj, Person):
        # Pages name a person by surname alone ("Ю.Хачатуров", "Mr Tasmagambetov").
        names += [name.split()[-1] for name in names if len(name.split()) > 1]
        names = [name for name in names if " " in name or len(name) >= 5]
    return [
        re.compile(r"(?<!\w)" + r"\s+".join(map(word_pattern, normalize(name).split())) + r"(?!\w)")
        for name in names
        if len(name) >= 3
    ]


def word_pattern(word):
    """A Russian word with any case ending; other words as they are."""
    if CYRILLIC.search(word) and len(word) > 3:
        stem = word.rstrip(RUSSIAN_VOWELS) or word
        return re.escape(stem) + r"\w{0,3}"
    return re.escape(word)


def add_media_links(item, entry, media_link_model):
    known = set(item.media_links.values_list("url", flat=True))
    start = item.media_links.count()
    for position, url in enumerate(entry.media_links, start=start):
        if url not in known:
            media_link_model.objects.create(
                news_item=item, outlet=outlet_from(url)[:200], url=url, position=position
            )
