"""
Reading text copied from the CSTO site into news items.

The text holds, in any mix:

- whole news pages: the title; the title again followed by the date
  (dd.mm.yyyy); the lead; body paragraphs; lines "Media about ...: <URL>";
  a signature ("CSTO Press Secretary Vladimir Zaynetdinov"); navigation
  lines ("Go back", ...) that end the page;
- list pages: a date line (dd.mm.yyyy) followed by a teaser, repeated;
- loose teasers, separated by two blank lines, whose date is read from the
  text ("On 25 July 2024", "On May 26, 2020", "26 мая 2020 года").

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

from .models import Body, MediaLink, NewsItem, Person, Status, Topic
from .services import record_revision, record_system_transition
from .slugs import slug_for

DATE_LINE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
TITLE_WITH_DATE = re.compile(r"^(?P<title>.+?)\s+(?P<d>\d{2})\.(?P<m>\d{2})\.(?P<y>\d{4})$")
MEDIA_LINE = re.compile(r"^(?P<heading>[^:]{3,300}?)\s*:\s*(?P<url>https?://\S+?)\s*$")
NAVIGATION = {
    "go back",
    "back to the section",
    "back to the all news",
    "back to all news",
    "назад",
    "вернуться назад",
    "вернуться",
    "назад в раздел",
    "вернуться в раздел",
    "назад ко всем новостям",
    "вернуться ко всем новостям",
    "все новости",
    "к списку новостей",
}
SIGNATURE_WORDS = re.compile(
    r"press secretary|press service|press office|пресс-секретар|пресс-служб", re.IGNORECASE
)

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
# A date at the start of a teaser, left out of the title made from it.
LEADING_DATE = re.compile(
    rf"^(on\s+)?(\d{{1,2}}\s+({EN}|{RU})(\s+\d{{4}})?(\s+(года|г\.))?|({EN})\s+\d{{1,2}}(,\s*\d{{4}})?)\s*,?\s*",
    re.IGNORECASE,
)
TITLE_LIMIT = 150
MOSCOW = ZoneInfo("Europe/Moscow")

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
LATIN = re.compile(r"[a-z]", re.IGNORECASE)


@dataclass
class Paragraph:
    text: str
    line: int  # where it starts, counting from 1
    blanks_before: int


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
    # A date the text gives that no calendar has ("impossible date 31.02.2024").
    date_problem: str = ""

    @property
    def text(self):
        return "\n".join([self.title, self.lead, *self.body, self.signature])

    @property
    def language(self):
        return language_of(self.text)


def paragraphs(text):
    """Blank-line separated paragraphs; lines of one paragraph are joined."""
    result, current, start, blanks = [], [], 0, 0
    for number, line in enumerate(text.splitlines(), start=1):
        # Web pages scatter no-break spaces where plain ones are meant.
        line = " ".join(line.replace("\xa0", " ").split())
        if not line:
            if current:
                result.append(Paragraph(" ".join(current), start, blanks))
                current, blanks = [], 0
            blanks += 1
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        result.append(Paragraph(" ".join(current), start, blanks))
    return result


def is_navigation(paragraph):
    return paragraph.text.strip(' .«»"').lower() in NAVIGATION


def parse(text):
    """Every entry the text holds, in the order it gives them."""
    paras = paragraphs(text)
    entries, loose, index = [], [], 0
    while index < len(paras):
        if starts_page(paras, index):
            entries += parse_loose(loose)
            loose = []
            end = index + 2
            # A page ends at its navigation links, or where a list or another page starts.
            while end < len(paras) and not ends_page(paras, end):
                end += 1
            dated = TITLE_WITH_DATE.match(paras[index + 1].text)
            entries.append(parse_page(paras[index], dated, paras[index + 2 : end]))
            while end < len(paras) and is_navigation(paras[end]):
                end += 1
            index = end
            continue
        if not is_navigation(paras[index]):
            loose.append(paras[index])
        index += 1
    return entries + parse_loose(loose)


def ends_page(paras, index):
    return (
        is_navigation(paras[index])
        or DATE_LINE.match(paras[index].text) is not None
        or starts_page(paras, index)
    )


def starts_page(paras, index):
    dated = index + 1 < len(paras) and TITLE_WITH_DATE.match(paras[index + 1].text)
    return bool(dated) and normalize(dated["title"]) == normalize(paras[index].text)


def parse_page(title, dated, rest):
    entry = Entry(
        kind="page",
        line=title.line,
        title=title.text,
        date=make_date(int(dated["y"]), int(dated["m"]), int(dated["d"])),
    )
    if entry.date is None:
        entry.date_problem = f"impossible date {dated['d']}.{dated['m']}.{dated['y']}"
    texts = [p.text for p in rest]
    # The end of a page: media links, then the signature.
    if texts and looks_like_signature(texts[-1]):
        entry.signature = texts.pop()
    body = []
    for text in texts:
        media = MEDIA_LINE.match(text)
        if media:
            entry.media_heading = entry.media_heading or media["heading"].strip()
            entry.media_links.append(media["url"])
        else:
            body.append(text)
    if body:
        entry.lead, entry.body = body[0], body[1:]
        entry.lead = unglue(entry.lead, " ".join([entry.title, *entry.body]))
    return entry


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


def looks_like_signature(text):
    return len(text) <= 120 and not text.endswith(".") and bool(SIGNATURE_WORDS.search(text))


def parse_loose(paras):
    """List-page entries (a date line, then a teaser) and loose teasers."""
    if any(DATE_LINE.match(p.text) for p in paras):
        return parse_list(paras)
    groups = []
    for para in paras:
        # Two blank lines part teasers; one parts paragraphs of a teaser.
        if groups and para.blanks_before < 2:
            groups[-1].append(para)
        else:
            groups.append([para])
    return [teaser(group[0].line, [p.text for p in group], find_date) for group in groups]


def parse_list(paras):
    entries, current = [], None
    for para in paras:
        date = DATE_LINE.match(para.text)
        if date:
            current = {
                "line": para.line,
                "date": make_date(int(date[3]), int(date[2]), int(date[1])),
                "dated": para.text,
                "texts": [],
            }
            entries.append(current)
        elif current is not None:
            current["texts"].append(para.text)
        else:  # text before the first date line: a loose teaser
            entries.append({"line": para.line, "date": None, "dated": "", "texts": [para.text]})
    result = []
    for item in entries:
        if not item["texts"]:
            continue
        texts = item["texts"]
        if item["dated"] and len(texts) > 1:
            # On a list page the first line is the item's title.
            entry = Entry(
                kind="list",
                line=item["line"],
                title=texts[0],
                lead=texts[1],
                body=texts[2:],
                date=item["date"],
            )
        else:
            date = item["date"]
            entry = teaser(item["line"], texts, lambda text, date=date: date or find_date(text))
            entry.kind = "list" if item["dated"] else "teaser"
        if item["dated"] and item["date"] is None:
            entry.date_problem = f"impossible date {item['dated']}"
        result.append(entry)
    return result


def teaser(line, texts, dating):
    return Entry(
        kind="teaser",
        line=line,
        title=title_from(texts[0]),
        lead=texts[0],
        body=texts[1:],
        date=dating(" ".join(texts)),
    )


def title_from(text):
    """A title for a teaser that has none: its first sentence, without a leading date."""
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-ZА-ЯЁ«“\"])", text.strip(), maxsplit=1)[0]
    sentence = LEADING_DATE.sub("", sentence).strip()
    sentence = sentence[:1].upper() + sentence[1:]
    if len(sentence) > TITLE_LIMIT:
        sentence = sentence[:TITLE_LIMIT].rsplit(" ", 1)[0].rstrip(",;:") + "…"
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

IMPORTED_FIELDS = ["title", "lead", "body", "event_date", "media_heading", "signature", "language"]


@dataclass
class Outcome:
    result: str  # "created", "updated" or "unchanged"
    item: object
    flags: list[str]


def import_entry(entry, *, section, publish=False, source=""):
    """
    Create or update the news item `entry` describes; return an Outcome.

    An existing item is the one with the same title, date and section; else
    one in draft or review with the same title or lead (a teaser imported
    before, now met as a whole page). A published (or archived) item matched
    only by title or lead is never changed: if the import would change it,
    a new item is made instead, in review and flagged as like it. A field
    changes only while it still holds what an earlier import put there, or
    is empty: what an editor wrote is kept.
    """
    values = {
        "title": entry.title[:500],
        "lead": entry.lead,
        "body": "\n\n".join(entry.body),
        "event_date": entry.date.isoformat() if entry.date else None,
        "media_heading": entry.media_heading[:300],
        "signature": entry.signature[:300],
        "language": entry.language,
    }
    # The same item for sure: its title, date and section are the entry's.
    same = Q(title__iexact=entry.title, event_date=entry.date, section=section)
    matches = Q(title__iexact=entry.title)
    if entry.lead:
        matches |= Q(lead__iexact=entry.lead)
    if entry.kind == "page":
        # The page's title may be what a list page gave as a teaser.
        matches |= Q(lead__iexact=entry.title)
    with transaction.atomic():
        item, clash = NewsItem.objects.filter(same).order_by("pk").first(), None
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
            item.source_url = ""
            item.full_clean()
            item.save()
            result = "created"
            target = Status.PUBLISHED if publish and entry.date and not clash else Status.REVIEW
            if entry.date:
                NewsItem.objects.filter(pk=item.pk).update(status=target)
                item.status = target
                record_system_transition(item, Status.DRAFT, target, f"Imported from {source}")
        else:
            changed = fields_to_update(item, values)
            apply(item, {name: values[name] for name in changed})
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
            record_revision(item=item, user=None, comment=f"Imported from {source}")
    return Outcome(result, item, flags)


def fields_to_update(item, values):
    """The fields an import of `values` changes: those no editor changed since."""
    previous = item.import_data or {}
    changed = []
    for name in IMPORTED_FIELDS:
        current = stored(item, name)
        if name in previous and current != previous[name]:
            continue  # an editor changed it since: theirs stays
        if name not in previous and current not in ("", None):
            continue  # not ours to overwrite (curated by hand)
        if current != values[name]:
            changed.append(name)
    return changed


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
    """Persons, bodies and topics the text names, added to those already linked."""
    folded = normalize(text)
    for model in models:
        field = {"Person": "persons", "Body": "bodies", "Topic": "topics"}[model.__name__]
        named = []
        for obj in model.objects.all():
            names = [obj.name] + ([obj.acronym] if len(getattr(obj, "acronym", "")) >= 3 else [])
            if any(re.search(rf"(?<!\w){re.escape(normalize(n))}(?!\w)", folded) for n in names):
                named.append(obj)
        if named:
            getattr(item, field).add(*named)


def add_media_links(item, entry, media_link_model):
    known = set(item.media_links.values_list("url", flat=True))
    start = item.media_links.count()
    for position, url in enumerate(entry.media_links, start=start):
        if url not in known:
            media_link_model.objects.create(
                news_item=item, outlet=outlet_from(url)[:200], url=url, position=position
            )
