"""Anki packages → parsed items: fields, HTML, tags, decks, the three collection files, and every refusal.

Packages are built in the tests: with genanki (what most shared decks and our exporter look like), and by
hand with sqlite3 + zipfile where a test needs a particular schema (Anki 2.1.50's zstd-compressed
schema 18), note order or damage.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import genanki
import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from prepdeck.catalog.exporters.anki import package_bytes
from prepdeck.catalog.importers import anki
from prepdeck.catalog.importers.anki import html_to_text, parse_apkg, split_key_points, tag_slug
from prepdeck.catalog.importers.base import (
    MAX_FILE_BYTES,
    ImportFormatError,
    ParsedCodeExample,
    ParsedDocument,
    ParsedItem,
)

BASIC = genanki.Model(
    1_500_000_001,
    "Basic (test)",
    fields=[{"name": "Front"}, {"name": "Back"}],
    templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
)
WITH_TOPIC = genanki.Model(
    1_500_000_002,
    "Basic with topic (test)",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Topic"}],
    templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}],
)
FRONT_ONLY = genanki.Model(
    1_500_000_003,
    "Front only (test)",
    fields=[{"name": "Text"}],
    templates=[{"name": "Card 1", "qfmt": "{{Text}}", "afmt": "{{Text}}"}],
)
PLACEHOLDER_TEXT = "Please update to the latest Anki version, then import the .colpkg/.apkg file again."


def _genanki_apkg(*decks: tuple[str, list[genanki.Note]], deck_id: int = 2_059_400_110) -> bytes:
    built = []
    for offset, (deck_name, notes) in enumerate(decks):
        deck = genanki.Deck(deck_id + offset, deck_name)
        for note in notes:
            deck.add_note(note)
        built.append(deck)
    return package_bytes(genanki.Package(built))


def _note(*fields: str, tags: list[str] | None = None, model: genanki.Model = BASIC) -> genanki.Note:
    return genanki.Note(model=model, fields=list(fields), tags=tags or [])


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return buffer.getvalue()


@dataclass
class _Note:
    fields: list[str]
    tags: str = ""
    deck: int = 1
    note_id: int | None = None
    model: int = 1001


@dataclass
class _Collection:
    """A hand-built collection: schema 11 (decks and note types as JSON) or 18 (tables, zstd in packages)."""

    notes: list[_Note]
    decks: dict[int, str] = field(default_factory=lambda: {1: "Default"})
    models: dict[int, list[str]] = field(default_factory=lambda: {1001: ["Front", "Back"]})
    schema: int = 11

    def database(self) -> bytes:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "collection.db"
            connection = sqlite3.connect(path)
            connection.create_collation("unicase", lambda left, right: (left > right) - (left < right))
            connection.executescript(
                "CREATE TABLE col (id integer PRIMARY KEY, ver integer, models text, decks text);"
                "CREATE TABLE notes (id integer PRIMARY KEY, guid text, mid integer, mod integer, usn integer,"
                " tags text, flds text, sfld text, csum integer, flags integer, data text);"
                "CREATE TABLE cards (id integer PRIMARY KEY, nid integer, did integer, ord integer);"
            )
            if self.schema == 11:
                decks = {str(deck_id): {"id": deck_id, "name": name} for deck_id, name in self.decks.items()}
                models = {
                    str(model_id): {
                        "id": model_id,
                        "flds": [{"name": name, "ord": order} for order, name in enumerate(names)],
                    }
                    for model_id, names in self.models.items()
                }
                connection.execute(
                    "INSERT INTO col VALUES (1, 11, ?, ?)", (json.dumps(models), json.dumps(decks))
                )
            else:
                connection.executescript(
                    "CREATE TABLE decks (name text NOT NULL PRIMARY KEY COLLATE unicase, id integer NOT NULL,"
                    " mtime_secs integer, usn integer, common blob, kind blob);"
                    "CREATE TABLE fields (ntid integer NOT NULL, ord integer NOT NULL,"
                    " name text NOT NULL COLLATE unicase, config blob, PRIMARY KEY (ntid, ord)) WITHOUT ROWID;"
                    "CREATE TABLE notetypes (id integer PRIMARY KEY, name text NOT NULL COLLATE unicase,"
                    " mtime_secs integer, usn integer, config blob);"
                )
                connection.execute("INSERT INTO col VALUES (1, 18, '', '')")
                for deck_id, name in self.decks.items():
                    connection.execute(
                        "INSERT OR IGNORE INTO decks VALUES (?, ?, 0, 0, x'', x'')",
                        (name.replace("::", "\x1f"), deck_id),
                    )
                for model_id, names in self.models.items():
                    connection.execute("INSERT INTO notetypes VALUES (?, 'Basic', 0, 0, x'')", (model_id,))
                    for order, name in enumerate(names):
                        connection.execute(
                            "INSERT INTO fields VALUES (?, ?, ?, x'')", (model_id, order, name)
                        )
            for position, note in enumerate(self.notes, start=1):
                note_id = note.note_id or 1_700_000_000_000 + position
                connection.execute(
                    "INSERT INTO notes VALUES (?, ?, ?, 0, -1, ?, ?, '', 0, 0, '')",
                    (note_id, f"guid{note_id}", note.model, note.tags, "\x1f".join(note.fields)),
                )
                connection.execute("INSERT INTO cards VALUES (?, ?, ?, 0)", (note_id + 1, note_id, note.deck))
            connection.commit()
            connection.close()
            return path.read_bytes()

    def apkg(self) -> bytes:
        if self.schema == 11:
            return _zip({"collection.anki21": self.database(), "media": b"{}"})
        return _zip(
            {
                "collection.anki2": _Collection([_Note([PLACEHOLDER_TEXT, ""])]).database(),
                "collection.anki21b": zstandard.ZstdCompressor().compress(self.database()),
                "media": b"",
            }
        )


def _error(data: bytes, name: str = "deck.apkg") -> ImportFormatError:
    with pytest.raises(ImportFormatError) as caught:
        parse_apkg(name, data)
    return caught.value


# -- notes → items -----------------------------------------------------------------------------------


def test_a_genanki_package_gives_one_item_per_note_in_note_order() -> None:
    # given
    data = _genanki_apkg(
        (
            "Interview::Django::ORM",
            [
                _note(
                    "What does <code>select_related</code> do?",
                    "It follows foreign keys with a SQL <b>join</b>.<br>One query instead of N.",
                    tags=["ORM", "Performance", "difficulty::basic"],
                ),
                _note("Q2. What is a QuerySet?", "A lazy query.", tags=["orm"]),
            ],
        )
    )

    # when
    document = parse_apkg("orm.apkg", data)

    # then
    assert document == ParsedDocument(
        name="orm.apkg",
        items=[
            ParsedItem(
                prompt="What does `select_related` do?",
                answer="It follows foreign keys with a SQL join.\nOne query instead of N.",
                line_start=1,
                line_end=1,
                section="ORM",
                difficulty="basic",
                dialect="apkg",
                tags=["orm", "performance"],
            ),
            ParsedItem(
                prompt="What is a QuerySet?",
                answer="A lazy query.",
                line_start=2,
                line_end=2,
                section="ORM",
                dialect="apkg",
                tags=["orm"],
            ),
        ],
        notes=["read collection.anki2"],
    )


def test_line_numbers_are_note_numbers_in_note_id_order() -> None:
    collection = _Collection(
        [
            _Note(["Third by id?", "c"], note_id=300),
            _Note(["First by id?", "a"], note_id=100),
            _Note(["", ""], note_id=150),  # skipped, but still counted
            _Note(["Second by id?", "b"], note_id=200),
        ]
    )

    document = parse_apkg("order.apkg", collection.apkg())

    assert [(item.prompt, item.line_start, item.line_end) for item in document.items] == [
        ("First by id?", 1, 1),
        ("Second by id?", 3, 3),
        ("Third by id?", 4, 4),
    ]
    assert document.notes == ["read collection.anki21", "skipped 1 empty note(s)"]


def test_the_deck_gives_the_section_and_the_default_deck_none() -> None:
    collection = _Collection(
        [
            _Note(["In a sub-deck?", "yes"], deck=20),
            _Note(["In the default deck?", "yes"], deck=1),
            _Note(["In a numbered deck?", "yes"], deck=30),
            _Note(["In a deck that is gone?", "yes"], deck=99),
        ],
        decks={1: "Default", 20: "Interview Prep::Django::Signals", 30: "03. Caching"},
    )

    document = parse_apkg("decks.apkg", collection.apkg())

    assert [item.section for item in document.items] == ["Signals", "", "Caching", ""]


def test_a_topic_field_wins_over_the_deck() -> None:
    data = _genanki_apkg(
        (
            "PrepDeck::Django ORM",
            [
                _note("What is F()?", "A column reference.", "django-orm", model=WITH_TOPIC),
                _note("What is Q()?", "A filter object.", "", model=WITH_TOPIC),
            ],
        )
    )

    document = parse_apkg("topics.apkg", data)

    assert [item.section for item in document.items] == ["django-orm", "Django ORM"]


def test_tags_become_lower_case_slugs_and_difficulty_tags_set_the_difficulty() -> None:
    collection = _Collection(
        [
            _Note(["One?", "a"], tags=" Django::ORM marked Performance leech difficulty::advanced "),
            _Note(["Two?", "b"], tags="difficulty-Intermediate  drf"),
            _Note(["Three?", "c"], tags="Difficulty_basic orm ORM"),
            _Note(["Four?", "d"], tags=""),
        ]
    )

    document = parse_apkg("tags.apkg", collection.apkg())

    assert [(item.tags, item.difficulty) for item in document.items] == [
        (["django-orm", "performance"], "advanced"),
        (["drf"], "intermediate"),
        (["orm"], "basic"),
        ([], "unknown"),
    ]


@pytest.mark.parametrize(
    ("tag", "slug"),
    [
        ("ORM", "orm"),
        ("Django::ORM::Queries", "django-orm-queries"),
        ("c++/templates", "c-templates"),
        ("__private__", "private"),
        ("Über-Tag", "über-tag"),
        ("x" * 80, "x" * 60),
        ("::", ""),
    ],
)
def test_tag_slugs(tag: str, slug: str) -> None:
    assert tag_slug(tag) == slug


def test_a_note_with_only_a_front_is_kept_and_flagged() -> None:
    data = _genanki_apkg(("Deck", [_note("What is WSGI?", model=FRONT_ONLY)]))

    document = parse_apkg("front.apkg", data)

    assert document.items == [
        ParsedItem(
            prompt="What is WSGI?",
            answer="",
            line_start=1,
            line_end=1,
            section="Deck",
            dialect="apkg",
            flags=["empty_answer"],
        )
    ]


def test_a_note_with_only_a_back_needs_a_question() -> None:
    collection = _Collection([_Note(["<div><br></div>", "Middleware wraps every request."])])

    document = parse_apkg("back.apkg", collection.apkg())

    assert [(item.prompt, item.answer, item.needs_question) for item in document.items] == [
        ("", "Middleware wraps every request.", True)
    ]


def test_a_cloze_note_hides_the_deletions_in_the_prompt_and_shows_them_in_the_answer() -> None:
    collection = _Collection(
        [_Note(["{{c1::select_related}} uses a {{c2::JOIN::SQL keyword}}.", "Extra: one query."])]
    )

    document = parse_apkg("cloze.apkg", collection.apkg())

    assert [(item.prompt, item.answer) for item in document.items] == [
        ("[...] uses a [SQL keyword].", "select_related uses a JOIN.\n\nExtra: one query.")
    ]


def test_code_blocks_in_the_back_become_fenced_code_and_code_examples() -> None:
    back = (
        "<p>Use a transaction:</p>"
        '<pre><code class="language-python">with transaction.atomic():\n    order.save()\n</code></pre>'
        "<p>Or <code>ATOMIC_REQUESTS</code>.</p>"
    )
    collection = _Collection([_Note(["How do you make writes atomic?", back])])

    (item,) = parse_apkg("code.apkg", collection.apkg()).items

    assert item.answer == (
        "Use a transaction:\n\n```python\nwith transaction.atomic():\n    order.save()\n```\n\nOr `ATOMIC_REQUESTS`."
    )
    assert item.code_examples == [
        ParsedCodeExample(language="python", code="with transaction.atomic():\n    order.save()")
    ]


def test_a_front_with_code_keeps_its_lines() -> None:
    front = "What does this print?<pre>print(1 &lt; 2)</pre>"
    collection = _Collection([_Note([front, "True"])])

    (item,) = parse_apkg("code.apkg", collection.apkg()).items

    assert item.prompt == "What does this print?\n\n```\nprint(1 < 2)\n```"


def test_key_points_at_the_end_of_the_back_are_read_back_and_removed_from_the_answer() -> None:
    back = (
        "<p>Signals decouple senders from receivers.</p>\n"
        '<div class="key-points"><p><b>Key points</b></p><ul><li>post_save fires after save()</li>'
        "<li>bulk_create sends no signals</li></ul></div>"
    )
    collection = _Collection([_Note(["What are signals?", back])])

    (item,) = parse_apkg("signals.apkg", collection.apkg()).items

    assert item.answer == "Signals decouple senders from receivers."
    assert item.key_points == ["post_save fires after save()", "bulk_create sends no signals"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Answer.\n\nKey points\n\n- one\n- two", ("Answer.", ["one", "two"])),
        ("Answer.\n\n**Key points:**\n1. one\n2. two", ("Answer.", ["one", "two"])),
        ("Key points\n- only points", ("", ["only points"])),
        (
            "Answer.\n\nKey points\n\nProse follows, not a list.",
            ("Answer.\n\nKey points\n\nProse follows, not a list.", []),
        ),
        ("Answer.\n\nKey points\n- one\n\nMore prose.", ("Answer.\n\nKey points\n- one\n\nMore prose.", [])),
        ("Answer.\n\nKey points", ("Answer.\n\nKey points", [])),
        ("No heading.\n- a list", ("No heading.\n- a list", [])),
    ],
)
def test_split_key_points(text: str, expected: tuple[str, list[str]]) -> None:
    assert split_key_points(text) == expected


# -- HTML → text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("Line one<div>Line two</div><div><br></div><div>Line four</div>", "Line one\nLine two\n\nLine four"),
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("a<br>b<br/>c", "a\nb\nc"),
        ("Tom &amp; Jerry &lt;3 &quot;x&quot;&nbsp;y &#8212; z", 'Tom & Jerry <3 "x" y — z'),
        (
            '<b>bold</b> <i>it</i> <span style="color:red">red</span> <a href="/x">link</a>',
            "bold it red link",
        ),
        ("What is this?[sound:rec_123.mp3]", "What is this?"),
        ("<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul>", "- one\n- two\n  - nested"),
        ("<ol><li>first</li><li>second</li></ol>", "1. first\n2. second"),
        ("<ul>\n<li>a long\nitem</li>\n</ul>", "- a long\n  item"),
        ("<h3>Title</h3>text", "### Title\n\ntext"),
        ("<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>", "A | B\n1 | 2"),
        ("<pre>x = 1\n\n\ny = 2</pre>", "```\nx = 1\n\n\ny = 2\n```"),
        ("<pre><code>a<br>b</code></pre>", "```\na\nb\n```"),
        ("<pre>uses ``` inside</pre>", "````\nuses ``` inside\n````"),
        ("<code>inline</code> and <code>`ticks`</code>", "`inline` and `` `ticks` ``"),
        ("<code>two\nlines</code>", "```\ntwo\nlines\n```"),
        ("<style>.card { color: red }</style><script>alert(1)</script>visible", "visible"),
        ("  spaced   out  <div>  text </div>", "spaced out\ntext"),
        ("<p>unclosed <b>tags", "unclosed tags"),
        ("<pre>never closed", "```\nnever closed\n```"),
        ("<![weird[ x ]]>after", "after"),
        ("plain\n\ntext\nhere", "plain\n\ntext\nhere"),
        ("", ""),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html).text == text


_HTML_PIECES = (
    *(
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<br>",
        "<br/>",
        "<pre>",
        "</pre>",
        "<code>",
        "</code>",
        "<ul>",
        "</ul>",
    ),
    *("<li>", "</li>", "<ol>", "<h2>", "</h2>", "<td>", "<tr>", "<style>", "</style>", "&amp;", "&#0;"),
    *("<![x[", "]]>", "<!--", "-->", "<", ">", "&", "\n", " ", "\x00", "\r", "`", "[sound:a]", "{{c1::"),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_HTML_PIECES) | st.text(max_size=8), max_size=40))
def test_any_html_converts_without_error_and_without_nul(pieces: list[str]) -> None:
    converted = html_to_text("".join(pieces))

    assert "\x00" not in converted.text
    assert converted.text == converted.text.strip()
    for block in converted.code_blocks:
        assert block.code.strip()
        assert block.code in converted.text


# -- the three collection files ---------------------------------------------------------------------------


def test_a_schema_18_anki21b_package_is_read_and_its_placeholder_anki2_ignored() -> None:
    collection = _Collection(
        [_Note(["What is MVCC?", "Row versions."], tags=" postgresql ", deck=7)],
        decks={1: "Default", 7: "Databases::PostgreSQL"},
        models={1001: ["Front", "Back"]},
        schema=18,
    )

    document = parse_apkg("new.apkg", collection.apkg())

    assert document.notes == ["read collection.anki21b"]
    assert [(item.prompt, item.answer, item.section, item.tags) for item in document.items] == [
        ("What is MVCC?", "Row versions.", "PostgreSQL", ["postgresql"])
    ]


def test_a_schema_18_topic_field_is_found_through_the_fields_table() -> None:
    collection = _Collection(
        [_Note(["What is a GIN index?", "An inverted index.", "postgresql-indexes"], model=55, deck=7)],
        decks={1: "Default", 7: "PrepDeck::PostgreSQL indexes"},
        models={55: ["Front", "Back", "Topic"]},
        schema=18,
    )

    (item,) = parse_apkg("new.apkg", collection.apkg()).items

    assert item.section == "postgresql-indexes"


def test_collection_anki21_is_read_rather_than_the_placeholder_next_to_it() -> None:
    placeholder = _Collection([_Note([PLACEHOLDER_TEXT, ""])]).database()
    real = _Collection([_Note(["What is ASGI?", "The async gateway interface."])]).database()

    document = parse_apkg("legacy.apkg", _zip({"collection.anki2": placeholder, "collection.anki21": real}))

    assert [item.prompt for item in document.items] == ["What is ASGI?"]
    assert document.notes == ["read collection.anki21"]


def test_a_lone_placeholder_collection_is_refused() -> None:
    data = _zip({"collection.anki2": _Collection([_Note([PLACEHOLDER_TEXT, ""])]).database()})

    error = _error(data)

    assert error.as_dict() == {
        "file": "deck.apkg",
        "line": 1,
        "message": "the package holds only Anki's 'please update' placeholder note: it was exported by a "
        "newer Anki but its collection.anki21b is missing; export it again from Anki",
    }


# -- refusals ------------------------------------------------------------------------------------------


def test_an_empty_file_is_refused() -> None:
    assert _error(b"").as_dict() == {"file": "deck.apkg", "line": None, "message": "the file is empty"}


def test_a_file_over_the_size_limit_is_refused_before_unzipping() -> None:
    error = _error(b"PK\x03\x04" + b"\x00" * MAX_FILE_BYTES)

    assert (
        error.message
        == f"the file is {MAX_FILE_BYTES + 4:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes per file"
    )
    assert error.line is None


def test_a_file_that_is_not_a_zip_is_refused() -> None:
    assert _error(b"question,answer\nWhat?,That.\n").message == (
        "not an Anki package (.apkg files are zip archives)"
    )


def test_a_zip_without_a_collection_is_refused() -> None:
    error = _error(_zip({"notes.txt": b"hello", "media": b"{}"}))

    assert error.message == (
        "not an Anki package: the zip archive holds no collection "
        "(collection.anki21, collection.anki21b, collection.anki2)"
    )


def test_a_corrupt_collection_is_refused() -> None:
    error = _error(_zip({"collection.anki2": b"this is not SQLite" * 100}))

    assert error.message == "the collection is not a readable Anki database (file is not a database)"


def test_an_sqlite_file_without_notes_is_refused() -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "other.db"
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE things (id integer)")
        connection.execute("CREATE VIEW notes AS SELECT 1 AS id, 2 AS mid, '' AS tags, 'x\x1fy' AS flds")
        connection.commit()
        connection.close()
        database = path.read_bytes()

    error = _error(_zip({"collection.anki2": database}))

    assert error.message == "the collection has no notes table: not an Anki collection"


def test_a_collection_without_notes_is_refused() -> None:
    assert _error(_Collection([]).apkg()).message == "the package holds no notes"


def test_a_collection_whose_notes_are_all_empty_is_refused() -> None:
    error = _error(_Collection([_Note(["", ""]), _Note([" <br> ", "&nbsp;"])]).apkg())

    assert (error.message, error.line) == ("none of the package's 2 note(s) has any text", 1)


def test_an_archive_that_unpacks_to_too_much_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(anki, "MAX_UNPACKED_BYTES", 10_000)
    data = _zip({"collection.anki2": b"\x00" * 20_000})

    assert _error(data).message == "the archive unpacks to 20,000 bytes; the limit is 10,000 bytes"


def test_a_member_that_lies_about_its_size_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a zip whose central directory claims 100 bytes for a member that inflates to 20,000
    monkeypatch.setattr(anki, "MAX_UNPACKED_BYTES", 10_000)
    data = bytearray(_zip({"collection.anki2": b"\x00" * 20_000}))
    directory = data.rindex(b"PK\x01\x02")
    data[directory + 24 : directory + 28] = (100).to_bytes(4, "little")  # its uncompressed size

    # when
    error = _error(bytes(data))

    # then: zipfile inflates no more than the declared size, and the checksum then fails
    assert error.message == "the zip archive cannot be unpacked (Bad CRC-32 for file 'collection.anki2')"


def test_a_zstd_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(anki, "MAX_UNPACKED_BYTES", 10_000)
    data = _zip({"collection.anki21b": zstandard.ZstdCompressor().compress(b"\x00" * 20_000)})

    assert _error(data).message == "collection.anki21b decompresses to more than 10,000 bytes (the limit)"


def test_an_anki21b_that_is_not_zstd_is_refused() -> None:
    error = _error(_zip({"collection.anki21b": b"SQLite format 3\x00 but not compressed"}))

    assert error.message.startswith("collection.anki21b is not valid zstd-compressed data (")


def test_a_damaged_zip_is_refused() -> None:
    data = bytearray(_Collection([_Note(["Q?", "A."])]).apkg())
    start = data.index(b"collection.anki21") + len("collection.anki21")
    data[start + 40 : start + 60] = b"\xff" * 20  # inside the deflated collection

    assert _error(bytes(data)).message.startswith("the zip archive cannot be unpacked (")


# -- properties ----------------------------------------------------------------------------------------


def _parses_or_refuses(data: bytes) -> None:
    try:
        document = parse_apkg("fuzz.apkg", data)
    except ImportFormatError as caught:
        error: ImportFormatError | None = caught
    else:
        error = None
    if error is not None:
        assert error.file == "fuzz.apkg"
        assert error.message
        return
    assert document.items
    for item in document.items:
        assert item.line_start == item.line_end >= 1
        assert item.prompt or item.needs_question
        assert "\x00" not in item.prompt + item.answer


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_parse_or_raise_import_format_error(data: bytes) -> None:
    _parses_or_refuses(data)


_MEMBERS = st.sampled_from([*anki.COLLECTION_MEMBERS, "media", "0", "meta"])
_VALID_COLLECTION = _Collection(
    [_Note(["What is a view?", "<p>A callable.</p>"], tags="views difficulty::basic", deck=5)],
    decks={1: "Default", 5: "Django::Views"},
).database()


@settings(max_examples=200, deadline=None)
@given(
    members=st.dictionaries(_MEMBERS, st.binary(max_size=500) | st.just(_VALID_COLLECTION), max_size=4),
    compression=st.sampled_from(
        [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
    ),
    damage=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=1, max_value=255)), max_size=3),
)
def test_any_zip_archive_parses_or_raises_import_format_error(
    members: dict[str, bytes], compression: int, damage: list[tuple[int, int]]
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    data = bytearray(buffer.getvalue())
    for position, flip in damage:
        data[position % len(data)] ^= flip

    _parses_or_refuses(bytes(data))


@settings(max_examples=100, deadline=None)
@given(
    damage=st.lists(
        st.tuples(st.integers(min_value=0), st.integers(min_value=1, max_value=255)), min_size=1, max_size=8
    )
)
def test_a_damaged_sqlite_collection_parses_or_raises_import_format_error(
    damage: list[tuple[int, int]],
) -> None:
    database = bytearray(_VALID_COLLECTION)
    for position, flip in damage:
        database[position % len(database)] ^= flip

    _parses_or_refuses(_zip({"collection.anki2": bytes(database)}))


_FIELD_TEXT = st.text(max_size=60) | st.sampled_from(
    ["<pre>", "<li>x", "&amp;", "{{c1::a}}", "Key points", "\x1f"]
)


@settings(max_examples=100, deadline=None)
@given(
    notes=st.lists(
        st.builds(
            _Note,
            fields=st.lists(_FIELD_TEXT, max_size=4),
            tags=st.text(max_size=30),
            deck=st.integers(min_value=-5, max_value=9),
            model=st.sampled_from([1001, 1002, 7]),
        ),
        max_size=5,
    ),
    deck_names=st.dictionaries(st.integers(min_value=-5, max_value=9), st.text(max_size=20), max_size=4),
    schema=st.sampled_from([11, 18]),
)
def test_any_collection_content_parses_or_raises_import_format_error(
    notes: list[_Note], deck_names: dict[int, str], schema: int
) -> None:
    collection = _Collection(
        notes,
        decks=deck_names,
        models={1001: ["Front", "Back"], 1002: ["Front", "Back", "Topic"]},
        schema=schema,
    )

    _parses_or_refuses(collection.apkg())


def test_a_package_with_more_notes_than_the_limit_is_refused_before_converting_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(anki, "APKG_NOTES_MAX", 3)
    data = _genanki_apkg(("Django", [_note(f"Question {number}?", "Answer.") for number in range(4)]))

    error = _error(data)

    assert error.message == "the package holds 4 notes; the limit is 3 notes per package"
    assert anki.APKG_NOTES_MAX == 3
