"""
A large archive for speed tests: realistic generated news and statements.

Item number i is made from its own random generator, seeded by (seed, i):
the same seed gives the same archive, and asking for more items adds only
the missing ones. Rows go in by bulk inserts, thousands at a time; the
text is built here from plain sentences (escaped), so it needs no
sanitizing pass. Every generated row is marked `generated`, and
`clear_generated()` removes them all.
"""

import datetime
import functools
import html
import random

from django.db import connection, transaction
from django.utils import timezone

from . import pagecache
from .models import (
    Body,
    Language,
    MediaLink,
    NewsItem,
    Person,
    Section,
    Statement,
    Status,
    Topic,
)
from .slugs import slug_for

BATCH = 2000
YEARS = 15
STATEMENT_EVERY = 25  # one generated statement for this many news items

EN_TITLES = [
    "{person} took part in the meeting of the {body}",
    "The {body} discussed {topic}",
    "{person} met the delegation of {country}",
    "CSTO experts held consultations on {topic}",
    "The {body} approved the plan of joint measures on {topic}",
    "{person} spoke at the international conference on {topic}",
    "Exercises of the CSTO Collective Forces were held in {country}",
    "A regular session of the {body} took place in {city}",
    "{person} gave an interview on {topic}",
    "The CSTO Secretariat hosted a round table on {topic}",
]
RU_TITLES = [
    "{person} принял участие в заседании {body}",
    "В {city} состоялось заседание {body}",
    "Эксперты ОДКБ провели консультации по вопросам {topic}",
    "{person} встретился с делегацией {country}",
    "Учения Коллективных сил ОДКБ прошли в {country}",
    "Секретариат ОДКБ провёл круглый стол по вопросам {topic}",
]
EN_SENTENCES = [
    "The participants discussed the state and prospects of cooperation in the field of {topic}.",
    "The meeting was attended by representatives of the member states of the Organization.",
    "{person} noted the importance of coordinated efforts of the member states.",
    "Particular attention was paid to the Central Asian region of collective security.",
    "The parties exchanged views on current issues of international and regional security.",
    "Following the meeting, a number of documents were approved.",
    "The {body} considered the draft decisions prepared for the next session.",
    "The exercise scenario included the planning and conduct of a joint operation.",
    "The participants agreed to continue consultations at the expert level.",
    "Information on the results of the meeting was sent to the member states.",
]
RU_SENTENCES = [
    "Участники обсудили состояние и перспективы сотрудничества в области {topic}.",
    "В заседании приняли участие представители государств — членов Организации.",
    "{person} отметил важность скоординированных усилий государств-членов.",
    "Особое внимание было уделено Центрально-Азиатскому региону коллективной безопасности.",
    "Стороны обменялись мнениями по актуальным вопросам международной и региональной безопасности.",
    "По итогам встречи был утверждён ряд документов.",
]
COUNTRIES = ["Armenia", "Belarus", "Kazakhstan", "Kyrgyzstan", "Russia", "Tajikistan"]
CITIES = ["Moscow", "Minsk", "Astana", "Bishkek", "Dushanbe", "Yerevan", "Москве", "Минске"]
OUTLETS = [
    ("TASS", "https://tass.ru/politika/"),
    ("BELTA", "https://www.belta.by/politics/view/"),
    ("RIA Novosti", "https://ria.ru/"),
    ("Kazinform", "https://www.inform.kz/ru/"),
]


@functools.lru_cache(maxsize=4096)
def cached_slug(title):
    # Titles come from a few templates and names: most are met many times.
    return slug_for(title, limit=60)


def generated_count():
    return NewsItem.objects.filter(generated=True).count()


def generate(total, *, seed=1, progress=None):
    """Make sure `total` generated news items exist; return how many were added."""
    sections = list(Section.objects.order_by("pk"))
    persons = list(Person.objects.order_by("pk"))
    bodies = list(Body.objects.order_by("pk"))
    topics = list(Topic.objects.order_by("pk"))
    if not (sections and persons and bodies and topics):
        raise ValueError("load the demo archive first: generated items need its sections and names")
    start = generated_count()
    now = timezone.now()
    for first in range(start, total, BATCH):
        numbers = range(first, min(first + BATCH, total))
        with transaction.atomic():
            make_batch(numbers, seed, now, sections, persons, bodies, topics)
        if progress:
            progress(numbers[-1] + 1 - start, total - start)
    analyze()
    # Rows went in without a model's save(): the triggers moved the database's
    # generation, and the cache's copy follows it here.
    pagecache.refresh()
    return max(0, total - start)


def analyze():
    """
    Fresh planner statistics after a bulk load: without them PostgreSQL takes
    a large table for a small one and sorts it whole for page 1.
    VACUUM too where it can run (not inside a transaction): it marks the
    pages all-visible, which lets deep list pages use index-only scans.
    """
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    # The links to persons, bodies and topics too: without their statistics a
    # filter on a common topic reads all its links for one page.
    links = [
        field.remote_field.through
        for model in (NewsItem, Statement)
        for field in model._meta.get_fields()
        if field.many_to_many and not field.auto_created
    ]
    with connection.cursor() as cursor:
        for model in (NewsItem, Statement, MediaLink, *links):
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


def make_batch(numbers, seed, now, sections, persons, bodies, topics):
    items, relations, links, statements = [], [], [], []
    ids = reserve_ids(NewsItem, len(numbers))
    for number, pk in zip(numbers, ids, strict=True):
        rng = random.Random(f"{seed}:{number}")
        item, chosen = make_item(rng, number, now, sections, persons, bodies, topics)
        item["id"] = pk
        items.append(item)
        relations.append(chosen)
        if rng.random() < 0.2:
            outlet, base = rng.choice(OUTLETS)
            links.append((pk, outlet, f"{base}{number}"))
        if number % STATEMENT_EVERY == 0:
            statements.append((pk, make_statement(rng, number, item, chosen)))
    columns, rows = model_rows(NewsItem, items, now)
    insert_rows(NewsItem, columns, rows)
    for index, field in enumerate(("persons", "bodies", "topics")):
        through = NewsItem._meta.get_field(field).remote_field.through
        insert_rows(
            through,
            m2m_columns(NewsItem, field),
            [
                (item["id"], obj.pk)
                for item, chosen in zip(items, relations, strict=True)
                for obj in chosen[index]
            ],
        )
    insert_rows(
        MediaLink,
        ["news_item_id", "outlet", "title", "url", "position"],
        [(pk, outlet, "", url, 0) for pk, outlet, url in links],
    )
    Statement.objects.bulk_create([statement for _, statement in statements], batch_size=BATCH)
    insert_rows(
        Statement.news_items.through,
        m2m_columns(Statement, "news_items"),
        [(statement.pk, pk) for pk, statement in statements],
    )


def model_rows(model, items, now):
    """Rows for every column of `model`: the item's values, else the field's default."""
    fields = [f for f in model._meta.get_fields() if f.concrete and not f.many_to_many]
    defaults = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        else:
            defaults[field.attname] = field.get_default()
    columns = [field.column for field in fields]
    names = [field.attname for field in fields]
    return columns, [[item.get(name, defaults[name]) for name in names] for item in items]


def reserve_ids(model, count):
    """Primary keys for `count` new rows, taken as the database would give them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: one writer at a time, inside this transaction.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def m2m_columns(model, field):
    """The two column names of a many-to-many table: this side, then the other."""
    relation = model._meta.get_field(field)
    return [relation.m2m_column_name(), relation.m2m_reverse_name()]


def insert_rows(model, columns, rows):
    """
    Plain rows, without a model instance each: PostgreSQL's COPY where it
    runs (the fastest way in), one INSERT run many times elsewhere.
    """
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # Values as Django writes them (SQLite keeps a moment as text: one
        # written otherwise, "+00:00" and all, no longer equals itself in a lookup).
        fields = {field.column: field for field in model._meta.concrete_fields}
        prepare = [fields[column].get_db_prep_save for column in columns]
        rows = [
            [to_db(value, connection) for to_db, value in zip(prepare, row, strict=True)]
            for row in rows
        ]
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def make_item(rng, number, now, sections, persons, bodies, topics):
    russian = rng.random() < 0.3
    person, body, topic = rng.choice(persons), rng.choice(bodies), rng.choice(topics)
    words = {
        "person": person.name,
        "body": body.name,
        "topic": topic.name,
        "country": rng.choice(COUNTRIES),
        "city": rng.choice(CITIES),
    }
    title = rng.choice(RU_TITLES if russian else EN_TITLES).format(**words)
    sentences = RU_SENTENCES if russian else EN_SENTENCES
    paragraphs = [
        " ".join(rng.choice(sentences).format(**words) for _ in range(rng.randint(2, 4)))
        for _ in range(rng.randint(3, 6))
    ]
    published = now - datetime.timedelta(seconds=rng.randint(86_400, YEARS * 365 * 86_400))
    status = Status.PUBLISHED if rng.random() < 0.97 else rng.choice([Status.DRAFT, Status.REVIEW])
    # Column values by attribute name; the other columns take their defaults.
    item = {
        "title": title,
        "slug": f"{cached_slug(title)}-g{number}",
        "section_id": rng.choice(sections).pk,
        "lead": paragraphs[0],
        "body": "".join(f"<p>{html.escape(text, quote=False)}</p>" for text in paragraphs[1:]),
        "event_date": published.date(),
        "location": words["city"],
        "language": Language.RUSSIAN if russian else Language.ENGLISH,
        "status": status,
        "published_at": published,
        "status_changed_at": published,
        "generated": True,
    }
    chosen = (
        {person, *rng.sample(persons, k=min(len(persons), rng.randint(0, 1)))},
        {body},
        {topic, *rng.sample(topics, k=min(len(topics), rng.randint(0, 1)))},
    )
    return item, chosen


def make_statement(rng, number, item, chosen):
    body = next(iter(chosen[1]))
    kind = rng.choice(list(Statement.Kind))
    topic = next(iter(chosen[2]))
    title = f"{kind.label} of the {body.name} on {topic.name}"
    return Statement(
        title=title,
        slug=f"{cached_slug(title)}-g{number}",
        kind=kind,
        adopted_by=body,
        adopted_on=item["published_at"].date(),
        text=item["body"],
        language=item["language"],
        status=Status.PUBLISHED,
        published_at=item["published_at"],
        status_changed_at=item["published_at"],
        generated=True,
    )


def clear_generated():
    """Remove every generated row; return how many news items went."""
    news = NewsItem.objects.filter(generated=True)
    statements = Statement.objects.filter(generated=True)
    count = news.count()
    with transaction.atomic():
        # Rows that point at generated ones first, then the items themselves,
        # each in one statement (a bulk delete, not one row at a time).
        for through, field in [
            (Statement.news_items.through, "statement__generated"),
            (Statement.news_items.through, "newsitem__generated"),
            (Statement.topics.through, "statement__generated"),
            (Statement.attachments.through, "statement__generated"),
            (NewsItem.persons.through, "newsitem__generated"),
            (NewsItem.bodies.through, "newsitem__generated"),
            (NewsItem.topics.through, "newsitem__generated"),
            (NewsItem.attachments.through, "newsitem__generated"),
            (MediaLink, "news_item__generated"),
            (NewsItem.gallery.through, "news_item__generated"),
        ]:
            through.objects.filter(**{field: True}).delete()
        with connection.cursor() as cursor:
            for queryset in (statements, news):
                table = connection.ops.quote_name(queryset.model._meta.db_table)
                cursor.execute(f"DELETE FROM {table} WHERE generated = %s", [True])  # noqa: S608
    pagecache.refresh()
    return count
