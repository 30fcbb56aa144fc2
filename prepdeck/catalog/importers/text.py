"""Bytes → clean text for every text-based importer (Markdown, CSV).

Uploaded interview documents are pasted together from chatbots, editors and web pages, so before any
parsing we must (a) refuse what is not text at all, with an error that names the file and line, and
(b) undo the damage that copy and paste does to text that *is* readable: byte-order marks, Windows line
endings and mojibake (UTF-8 that some tool decoded as Mac Roman or Windows-1252 and saved again as UTF-8).
Every repair is counted, so the import report can say what was changed.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

import ftfy

from prepdeck.catalog.importers.base import MAX_FILE_BYTES, ImportFormatError

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# A non-ASCII run is the unit of mojibake: UTF-8 continuation bytes are never ASCII, so every character
# that was mis-decoded byte by byte turns into exactly one maximal run of non-ASCII characters.
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
# The codecs that real documents were mis-decoded with, most specific first: Mac Roman maps every byte,
# so a run that re-encodes to valid UTF-8 through it is almost certainly mojibake (the seed corpus has
# 21 such runs and no false positive); cp1252 covers the Windows variant (``â€™`` for ``’``).
_MOJIBAKE_CODECS = ("mac_roman", "cp1252")
# Lines worth showing to ftfy: anything beyond printable ASCII. Pure ASCII lines cannot carry mojibake,
# and skipping them keeps large files fast.
_NEEDS_FTFY = re.compile(r"[^\t\x20-\x7e]")
# ftfy's defaults are harmful here: ``uncurl_quotes`` rewrites legitimate ’ (and turns the ‚ of a
# mis-decoded ⚡ into '), ``unescape_html`` would decode ``&amp;`` inside code samples, and
# ``fix_line_breaks`` would turn U+2028 into new lines and shift every later line number.
_FTFY_CONFIG = ftfy.TextFixerConfig(
    uncurl_quotes=False, unescape_html=False, fix_line_breaks=False, explain=False
)
# Control characters other than whitespace. A text file has almost none (ftfy removes the odd terminal
# escape); when a quarter of the characters are controls, the file was never text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.25


class DecodedText(NamedTuple):
    """Clean text (LF line endings), the repairs made (by kind) and human-readable notes about them."""

    text: str
    repairs: Counter[str]
    notes: list[str]


def decode_document(name: str, data: bytes) -> DecodedText:
    """Decode an uploaded document and repair its encoding damage; raise ``ImportFormatError`` if not text.

    Call this first in every text importer, so all of them accept and reject the same inputs.
    """
    repairs: Counter[str] = Counter()
    notes: list[str] = []
    if not data:
        raise ImportFormatError(name, "the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFormatError(
            name, f"the file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,} bytes per file"
        )
    text = _decode(name, data, repairs, notes)
    _reject_binary(name, text)
    text = _normalize_line_endings(text, repairs, notes)
    text = repair_mojibake(text, repairs, notes)
    if not text.strip():
        raise ImportFormatError(name, "the file contains no text", line=1)
    if not text.endswith("\n"):
        text += "\n"
    return DecodedText(text, repairs, notes)


def _decode(name: str, data: bytes, repairs: Counter[str], notes: list[str]) -> str:
    """UTF-8 (BOM stripped), or UTF-16 when a BOM says so; anything else is refused, naming the line."""
    if data.startswith(UTF16_BOMS):
        try:
            text = data.decode("utf-16")  # the codec reads and drops the BOM
        except UnicodeDecodeError as error:
            line = data[: error.start - error.start % 2].decode("utf-16", errors="replace").count("\n") + 1
            raise ImportFormatError(name, "the file is not valid UTF-16 text", line=line) from None
        repairs["bom"] += 1
        notes.append("decoded as UTF-16 (byte-order mark)")
        return text
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ImportFormatError(name, "the file is binary, not text (it contains NUL bytes)", line=line)
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
        repairs["bom"] += 1
        notes.append("stripped a UTF-8 byte-order mark")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFormatError(
            name,
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be decoded); "
            "save it as UTF-8 and upload it again",
            line=line,
        ) from None


def _reject_binary(name: str, text: str) -> None:
    """Refuse decoded text that is mostly control characters: a binary file that happens to decode."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportFormatError(name, "the file is binary, not text (it contains NUL characters)", line=line)
    controls = len(_CONTROL.findall(text))
    if controls and controls > _MAX_CONTROL_SHARE * len(text):
        first = _CONTROL.search(text)
        raise ImportFormatError(
            name,
            "the file is binary, not text (mostly control characters)",
            line=text[: first.start()].count("\n") + 1 if first else None,
        )


def _normalize_line_endings(text: str, repairs: Counter[str], notes: list[str]) -> str:
    crlf = text.count("\r\n")
    text = text.replace("\r\n", "\n")
    lone_cr = text.count("\r")
    text = text.replace("\r", "\n")
    if crlf or lone_cr:
        repairs["crlf"] += crlf + lone_cr
        notes.append(f"converted {crlf + lone_cr} CRLF/CR line ending(s) to LF")
    return text


def repair_mojibake(text: str, repairs: Counter[str], notes: list[str]) -> str:
    """Re-decode mojibake run by run, then let ftfy (quotes left alone) fix what remains.

    ftfy alone is not enough: it judges line by line from a "badness" score, and a line whose only
    damage is an emoji read as Mac Roman (U+F8FF followed by Latin-1 letters) does not look bad to it,
    so half of such lines stay broken. Re-decoding each non-ASCII run fixes them all, and never
    touches runs that do not round-trip to valid UTF-8 (legitimate ’ – → ─ and accented letters).
    The price is that a rare legitimate pair of symbols that happens to spell UTF-8 bytes in Mac Roman
    (``…¢`` → ``ɢ``) is re-decoded too; no such pair occurs in the seed corpus.
    """
    fixed_by: Counter[str] = Counter()

    def redecode(match: re.Match[str]) -> str:
        run = match.group(0)
        for codec in _MOJIBAKE_CODECS:
            try:
                decoded = run.encode(codec).decode("utf-8")
            except UnicodeError:
                continue
            if decoded != run:
                fixed_by[codec] += 1
                return decoded
        return run

    text = _NON_ASCII_RUN.sub(redecode, text)
    for codec, runs in sorted(fixed_by.items()):
        repairs["mojibake"] += runs
        notes.append(f"re-decoded {runs} mojibake run(s) from {codec}")

    lines = text.split("\n")
    changed = 0
    for index, line in enumerate(lines):
        if _NEEDS_FTFY.search(line):
            fixed = ftfy.fix_text(line, _FTFY_CONFIG)
            if fixed != line:
                lines[index] = fixed
                changed += 1
    if changed:
        repairs["ftfy_lines"] += changed
        notes.append(f"ftfy repaired {changed} line(s)")
        text = "\n".join(lines)
    return text
