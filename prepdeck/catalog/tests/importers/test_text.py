"""Bytes → clean text: what is refused (and where), and which copy-and-paste damage is repaired.

No seed file has a BOM, CRLF or UTF-16 (seed_dialects.md §0), so those cases use synthetic inputs. The
mojibake inputs are built the way the damage happens: UTF-8 bytes decoded with the wrong codec and
saved again as UTF-8.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prepdeck.catalog.importers.base import MAX_FILE_BYTES, ImportFormatError
from prepdeck.catalog.importers.text import decode_document


def _mangle(text: str, codec: str) -> bytes:
    """What an editor saves after opening UTF-8 text as ``codec``."""
    return text.encode("utf-8").decode(codec).encode("utf-8")


# -- accepted input ----------------------------------------------------------------------------------


def test_plain_utf8_is_returned_unchanged_with_no_repairs() -> None:
    # given
    data = "Déjà vu – “quoted” → ok\n".encode()

    # when
    text, repairs, notes = decode_document("plain.md", data)

    # then
    assert text == "Déjà vu – “quoted” → ok\n"
    assert repairs == {}
    assert notes == []


def test_a_missing_final_newline_is_added() -> None:
    assert decode_document("f.md", b"one\ntwo").text == "one\ntwo\n"


def test_utf8_bom_is_stripped_and_counted() -> None:
    text, repairs, notes = decode_document("bom.md", b"\xef\xbb\xbf# Title\n")

    assert text == "# Title\n"
    assert repairs == {"bom": 1}
    assert notes == ["stripped a UTF-8 byte-order mark"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_bom_is_decoded(codec: str) -> None:
    bom = b"\xff\xfe" if codec == "utf-16-le" else b"\xfe\xff"
    data = bom + "Q: Was ist ein Index?\r\nA: Eine Struktur.\r\n".encode(codec)

    text, repairs, _ = decode_document("wide.md", data)

    assert text == "Q: Was ist ein Index?\nA: Eine Struktur.\n"
    assert repairs == {"bom": 1, "crlf": 2}


def test_crlf_and_lone_cr_become_lf_and_are_counted() -> None:
    text, repairs, notes = decode_document("mixed.md", b"a\r\nb\rc\r\nd\n")

    assert text == "a\nb\nc\nd\n"
    assert repairs == {"crlf": 3}
    assert notes == ["converted 3 CRLF/CR line ending(s) to LF"]


def test_mac_roman_mojibake_is_fixed_run_by_run_even_where_ftfy_alone_gives_up() -> None:
    # given: emoji whose mangled form starts with U+F8FF (ftfy's heuristic leaves such lines alone)
    original = "🧩 7. Packaging\n## ⚡ 8. Speed\nIt’s fast—really.\n"
    data = _mangle(original, "mac_roman")
    assert "\uf8ff" in data.decode("utf-8")

    # when
    text, repairs, notes = decode_document("mac.md", data)

    # then
    assert text == original
    assert repairs == {"mojibake": 4}
    assert notes == ["re-decoded 4 mojibake run(s) from mac_roman"]


def test_cp1252_mojibake_is_fixed() -> None:
    text, repairs, notes = decode_document("win.md", _mangle("The cache’s key\n", "cp1252"))

    assert text == "The cache’s key\n"
    assert repairs == {"mojibake": 1}
    assert notes == ["re-decoded 1 mojibake run(s) from cp1252"]


def test_legitimate_non_ascii_and_curly_quotes_are_left_alone() -> None:
    # ftfy's default config would turn ’ into ' and ‚ into '; we keep both, and HTML entities in code
    original = "It’s ‚low‘ – ok → ├── é ü ß\nif a &amp;&amp; b: pass\n"

    text, repairs, _ = decode_document("fine.md", original.encode())

    assert text == original
    assert repairs == {}


def test_repair_is_idempotent() -> None:
    once = decode_document("a.md", _mangle("Ünïcode 🚀 and ’\n", "mac_roman")).text

    assert decode_document("a.md", once.encode()).text == once


def test_ftfy_cleans_what_the_run_decoder_cannot() -> None:
    # a terminal colour escape is not mojibake, but ftfy removes it as a safety net
    text, repairs, _ = decode_document("esc.md", "\x1b[31mred\x1b[0m ünïcode\n".encode())

    assert text == "red ünïcode\n"
    assert repairs == {"ftfy_lines": 1}


# -- refused input -----------------------------------------------------------------------------------


def test_empty_input_is_refused() -> None:
    with pytest.raises(ImportFormatError) as raised:
        decode_document("empty.md", b"")

    assert raised.value.as_dict() == {"file": "empty.md", "line": None, "message": "the file is empty"}


def test_whitespace_only_input_is_refused() -> None:
    with pytest.raises(ImportFormatError, match=r"^blank\.md:1: the file contains no text$"):
        decode_document("blank.md", b" \n\n\t\n")


def test_input_over_the_size_limit_is_refused() -> None:
    with pytest.raises(ImportFormatError, match=r"^big\.md: the file is 5,242,881 bytes; the limit is"):
        decode_document("big.md", b"a" * (MAX_FILE_BYTES + 1))


def test_input_at_the_size_limit_is_accepted() -> None:
    assert len(decode_document("edge.md", b"a" * MAX_FILE_BYTES).text) == MAX_FILE_BYTES + 1


def test_binary_input_with_nul_bytes_is_refused_naming_the_line() -> None:
    with pytest.raises(ImportFormatError) as raised:
        decode_document("image.png", b"line one\nline two\n\x89PNG\x00\x00")

    assert raised.value.file == "image.png"
    assert raised.value.line == 3
    assert "binary" in raised.value.message


def test_input_that_is_mostly_control_characters_is_refused() -> None:
    with pytest.raises(ImportFormatError, match=r"^blob:1: the file is binary, not text \(mostly control"):
        decode_document("blob", bytes(range(1, 9)) * 20)


def test_undecodable_input_names_the_line_of_the_first_bad_byte() -> None:
    data = b"first\nsecond\n" + "third: caf\xe9\n".encode("latin-1") + b"fourth \xff\n"

    with pytest.raises(ImportFormatError) as raised:
        decode_document("latin.md", data)

    assert raised.value.line == 3
    assert raised.value.message.startswith("the file is not UTF-8 text (byte 0xe9 cannot be decoded)")
    assert str(raised.value).startswith("latin.md:3: ")


def test_broken_utf16_is_refused_naming_the_line() -> None:
    data = b"\xff\xfe" + "ok\nok\n".encode("utf-16-le") + b"\x00\xd8"  # a lone high surrogate

    with pytest.raises(ImportFormatError) as raised:
        decode_document("wide.md", data)

    assert raised.value.line == 3
    assert raised.value.message == "the file is not valid UTF-16 text"


# -- properties --------------------------------------------------------------------------------------


@given(st.binary(max_size=2000))
def test_any_bytes_decode_to_lf_text_or_raise_import_format_error(data: bytes) -> None:
    try:
        text, repairs, notes = decode_document("fuzz.bin", data)
    except ImportFormatError as caught:
        error: ImportFormatError | None = caught
    else:
        error = None
    if error is not None:
        assert error.file == "fuzz.bin"
        return
    assert "\r" not in text
    assert text.endswith("\n")
    assert all(isinstance(count, int) and count > 0 for count in repairs.values())
    assert all(isinstance(note, str) for note in notes)


@given(st.text(max_size=500))
def test_any_text_decodes_or_raises_import_format_error(text: str) -> None:
    try:
        decoded = decode_document("fuzz.md", text.encode("utf-8", "surrogatepass")).text
    except ImportFormatError:
        return
    assert "\r" not in decoded


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.just("\n"), min_size=1))
def test_printable_ascii_passes_through_untouched(text: str) -> None:
    # mojibake lives in non-ASCII runs only, so ASCII text must never change (except a final newline)
    try:
        decoded, repairs, _ = decode_document("ascii.md", text.encode())
    except ImportFormatError:
        assert not text.strip()
        return
    assert decoded == (text if text.endswith("\n") else text + "\n")
    assert repairs == {}
