"""Parsing the OJT site list that officials export from spreadsheets (CSV); pure, no database."""

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

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
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp932"), "cp932"


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


def parse_sites_csv(data: bytes, prefecture_codes: Collection[str] = ALL_PREFECTURES) -> ParsedFile:
    """Parse a site list; every bad field of every line is reported, with its line number."""
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError:
        return ParsedFile(None, errors=[RowError(0, "file", "not UTF-8 or Shift_JIS (cp932) text")])
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    result = ParsedFile(encoding)
    try:
        header = next(reader, None)
        if header is None:
            return ParsedFile(encoding, errors=[RowError(1, "file", "the file is empty")])
        columns = _columns(header, result.errors)
        parsers = _parsers(prefecture_codes)
        first_line_of: dict[str, int] = {}
        line = reader.line_num + 1
        for record in reader:
            _parse_record(record, line, columns, parsers, first_line_of, result)
            line = reader.line_num + 1
    except csv.Error as error:
        result.errors.append(RowError(reader.line_num, "file", f"unreadable CSV: {error}"))
    return result


def _parse_record(record: list[str], line: int, columns: dict[str, int], parsers: dict,
                  first_line_of: dict[str, int], result: ParsedFile) -> None:
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
    result.errors.extend(errors)
    if not errors:
        result.rows.append(SiteRow(line, fields))
