"""Parsing the OJT site list that officials export from spreadsheets (CSV), streamed from a file; pure,
no database."""

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from lms.ojt.models import ACTIVITIES, ACTIVITY_LABELS, SITE_KIND_LABELS, SITE_KINDS

MAX_CAPACITY = 1000
ALL_PREFECTURES = frozenset(f"{n:02}" for n in range(1, 48))

# Accepted header names per field (English first, then Japanese), compared after _header() normalisation.
HEADERS: dict[str, tuple[str, ...]] = {
    "external_code": ("external_code", "施設コード", "code", "医療機関コード"),
    "name": ("name", "施設名", "医療機関名", "名称"),
    "kind": ("kind", "種別", "施設種別"),
    "prefecture_code": ("prefecture_code", "都道府県コード", "prefecture"),
    "secondary_medical_area": ("secondary_medical_area", "二次医療圏"),
    "shortage_area": ("shortage_area", "医師少数区域"),
    "annual_capacity": ("annual_capacity", "年間受入上限", "capacity", "受入上限", "年間受入人数"),
    "activities": ("activities", "OJT内容", "OJTの内容"),
}
REQUIRED = ("external_code", "name", "kind", "prefecture_code", "secondary_medical_area", "annual_capacity")

KIND_WORDS = {**{k: k for k in SITE_KINDS}, **{v: k for k, v in SITE_KIND_LABELS.items()}, "老健": "geriatric_facility"}
ACTIVITY_WORDS = {**{a: a for a in ACTIVITIES}, **{v: k for k, v in ACTIVITY_LABELS.items()}}
TRUE_WORDS = {"1", "true", "t", "yes", "y", "○", "〇", "◯", "はい", "該当", "有", "あり"}
FALSE_WORDS = {"", "0", "false", "f", "no", "n", "×", "-", "いいえ", "非該当", "無", "なし"}
ACTIVITY_SEPARATORS = re.compile(r"[、,;；/／・|\s]+")


@dataclass(frozen=True)
class RowError:
    """A problem with one field of one line (line 1 is the header; 0 means the whole file)."""

    line: int
    field: str
    message: str


@dataclass(frozen=True)
class SiteRow:
    """A valid data line: the site fields present in the file's columns."""

    line: int
    fields: dict


@dataclass
class ParsedFile:
    encoding: str | None
    rows: list[SiteRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", unicodedata.normalize("NFKC", name).strip().lower())


HEADER_INDEX = {_header(alias): name for name, aliases in HEADERS.items() for alias in aliases}


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: a BOM decides; else UTF-8 if it decodes; else Shift_JIS (cp932)."""
    encoding = sniff_encoding(io.BytesIO(data))
    if encoding is None:
        raise UnicodeDecodeError("cp932", data, 0, len(data), "not UTF-8 or Shift_JIS")
    return data.decode(encoding), encoding


def _decodes(stream: BinaryIO, encoding: str, chunk_size: int) -> bool:
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := stream.read(chunk_size):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sniff_encoding(stream: BinaryIO, chunk_size: int = 1 << 16) -> str | None:
    """The file's encoding, read in chunks: a BOM decides; else UTF-8 if the whole file decodes; else
    Shift_JIS (cp932); None when neither does. The stream is left at its start."""
    head = stream.read(4)
    try:
        for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                              (codecs.BOM_UTF16_BE, "utf-16")):
            if head.startswith(bom):
                return encoding if _decodes(stream, encoding, chunk_size) else None
        for encoding in ("utf-8", "cp932"):
            if _decodes(stream, encoding, chunk_size):
                return encoding
        return None
    finally:
        stream.seek(0)


def _plain(value: str, max_length: int) -> str:
    if not value:
        raise ValueError("required")
    if len(value) > max_length:
        raise ValueError(f"at most {max_length} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in value):
        raise ValueError("must not contain control or formatting characters")
    return value


def _kind(value: str) -> str:
    word = unicodedata.normalize("NFKC", value).strip()
    kind = KIND_WORDS.get(word.lower()) or KIND_WORDS.get(word)
    if kind is None:
        raise ValueError(f"unknown kind {value!r}; one of {', '.join(SITE_KINDS)} or 病院, 診療所, 介護老人保健施設, その他")
    return kind


def _prefecture(known: Collection[str]):
    def parse(value: str) -> str:
        code = unicodedata.normalize("NFKC", value).strip()
        if re.fullmatch(r"\d{1,2}", code):
            code = code.zfill(2)
        if code not in known:
            raise ValueError(f"unknown prefecture code {value!r}; 01 to 47")
        return code
    return parse


def _flag(value: str) -> bool:
    word = unicodedata.normalize("NFKC", value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{value!r} is not yes or no (1/0, true/false, ○/×, 該当/非該当)")


def _capacity(value: str) -> int:
    number = unicodedata.normalize("NFKC", value).strip().removesuffix("人").removesuffix("名").strip()
    if not re.fullmatch(r"\d{1,9}", number):
        raise ValueError(f"{value!r} is not a whole number")
    if int(number) > MAX_CAPACITY:
        raise ValueError(f"at most {MAX_CAPACITY}")
    return int(number)


def _activities(value: str) -> list[str]:
    words = [w for w in ACTIVITY_SEPARATORS.split(unicodedata.normalize("NFKC", value).strip()) if w]
    unknown = [w for w in words if w.lower() not in ACTIVITY_WORDS and w not in ACTIVITY_WORDS]
    if unknown:
        raise ValueError(f"unknown activities {', '.join(unknown)}; use {', '.join(ACTIVITY_LABELS.values())}")
    return list(dict.fromkeys(ACTIVITY_WORDS.get(w.lower()) or ACTIVITY_WORDS[w] for w in words))


def _parsers(known: Collection[str]) -> dict:
    return {
        "external_code": lambda v: _plain(unicodedata.normalize("NFKC", v).strip(), 40),
        "name": lambda v: _plain(v.strip(), 200),
        "kind": _kind,
        "prefecture_code": _prefecture(known),
        "secondary_medical_area": lambda v: _plain(v.strip(), 100),
        "shortage_area": _flag,
        "annual_capacity": _capacity,
        "activities": _activities,
    }


def _columns(header: list[str], errors: list[RowError]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for position, raw in enumerate(header):
        name = HEADER_INDEX.get(_header(raw))
        if name is None:
            continue  # spreadsheets carry extra columns (備考, 電話番号 ...); they are not ours to judge
        if name in columns:
            errors.append(RowError(1, name, f"column {raw!r} repeats column {header[columns[name]]!r}"))
        columns[name] = position
    for name in REQUIRED:
        if name not in columns:
            errors.append(RowError(1, name, f"missing column {name} or {HEADERS[name][1]}"))
    return columns


def _reader(stream: BinaryIO, encoding: str):
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    first_line = text.readline()
    text.seek(0)
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    return text, csv.reader(text, delimiter=delimiter)


def count_records(stream: BinaryIO, encoding: str) -> int:
    """Data lines that are not blank (a quick first pass for progress); the stream is left at its start."""
    text, reader = _reader(stream, encoding)
    count = 0
    try:
        if next(reader, None) is not None:
            count = sum(1 for record in reader if any(cell.strip() for cell in record))
    except (csv.Error, UnicodeDecodeError):
        pass  # the validating pass reports it with its line
    finally:
        text.detach()
        stream.seek(0)
    return count


def read_sites(stream: BinaryIO, encoding: str | None,
               prefecture_codes: Collection[str] = ALL_PREFECTURES) -> Iterator[SiteRow | RowError]:
    """Each valid data line as a SiteRow and each problem as a RowError, in file order, holding one line at a
    time (and the codes seen, to refuse a repeated one). `encoding` comes from sniff_encoding."""
    if encoding is None:
        yield RowError(0, "file", "not UTF-8 or Shift_JIS (cp932) text")
        return
    text, reader = _reader(stream, encoding)
    try:
        header = next(reader, None)
        if header is None:
            yield RowError(1, "file", "the file is empty")
            return
        header_errors: list[RowError] = []
        columns = _columns(header, header_errors)
        yield from header_errors
        parsers = _parsers(prefecture_codes)
        first_line_of: dict[str, int] = {}
        line = reader.line_num + 1
        for record in reader:
            yield from _parse_record(record, line, columns, parsers, first_line_of)
            line = reader.line_num + 1
    except csv.Error as error:
        yield RowError(reader.line_num, "file", f"unreadable CSV: {error}")
    except UnicodeDecodeError:
        yield RowError(reader.line_num + 1, "file", f"not {encoding} text")
    finally:
        text.detach()


def parse_sites_csv(data: bytes, prefecture_codes: Collection[str] = ALL_PREFECTURES) -> ParsedFile:
    """Parse a whole site list in memory; every bad field of every line is reported, with its line number."""
    stream = io.BytesIO(data)
    encoding = sniff_encoding(stream)
    result = ParsedFile(encoding)
    for item in read_sites(stream, encoding, prefecture_codes):
        (result.rows if isinstance(item, SiteRow) else result.errors).append(item)
    return result


def _parse_record(record: list[str], line: int, columns: dict[str, int], parsers: dict,
                  first_line_of: dict[str, int]) -> Iterator[SiteRow | RowError]:
    if not any(cell.strip() for cell in record):
        return
    fields, errors = {}, []
    for name, position in columns.items():
        raw = record[position] if position < len(record) else ""
        try:
            fields[name] = parsers[name](raw)
        except ValueError as error:
            errors.append(RowError(line, name, str(error)))
    code = fields.get("external_code")
    if code is not None:
        if code in first_line_of:
            errors.append(RowError(line, "external_code", f"{code} appears again (first on line {first_line_of[code]})"))
        else:
            first_line_of[code] = line
    if errors:
        yield from errors
    else:
        yield SiteRow(line, fields)
