"""Reading a coordinator's spreadsheet: encodings, delimiters, quoting, headers and limits."""

import codecs

import pytest

from smresidency.cohorts.csv_import import CsvProblem, decode, parse, profession_of

HEADER = "email,name,profession,department"
BIG = 1024 * 1024


def read(data: bytes, max_rows: int = 1000):
    text, encoding = decode(data, BIG)
    return parse(text, max_rows, encoding)


def fields(report):
    return [(r.line, r.email, r.name, r.profession, r.department) for r in report.rows]


def test_reads_utf8_with_and_without_a_bom():
    body = f"{HEADER}\nzoe@example.org,Zoë Ådahl,clinician,Cardiology\n".encode()
    for data in (body, codecs.BOM_UTF8 + body):
        report = read(data)
        assert report.encoding == "UTF-8"
        assert fields(report) == [(2, "zoe@example.org", "Zoë Ådahl", "clinician", "Cardiology")]


def test_falls_back_to_windows_1252_when_the_file_is_not_utf8():
    data = f"{HEADER}\r\nzoe@example.org,Zoë “Zo” Smith,education,Œdema clinic\r\n".encode("cp1252")
    report = read(data)
    assert report.encoding == "Windows-1252"
    assert fields(report) == [(2, "zoe@example.org", "Zoë “Zo” Smith", "education", "Œdema clinic")]


def test_reads_utf16_as_excel_saves_unicode_text():
    data = "email\tname\tprofession\nzoe@example.org\tZoë\tsupport\n".encode("utf-16")
    report = read(data)
    assert (report.encoding, report.separator) == ("UTF-16", "tab")
    assert fields(report) == [(2, "zoe@example.org", "Zoë", "support", "")]


@pytest.mark.parametrize(("delimiter", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_detects_the_delimiter_from_the_header_line(delimiter, name):
    lines = [["email", "name", "profession"], ["a@example.org", "Ann, the second", "support"]]
    if delimiter == ",":
        lines[1][1] = '"Ann, the second"'
    data = "\n".join(delimiter.join(line) for line in lines).encode()
    report = read(data)
    assert report.separator == name
    assert fields(report) == [(2, "a@example.org", "Ann, the second", "support", "")]


def test_quoted_fields_may_hold_delimiters_quotes_and_newlines():
    data = (
        f"{HEADER}\n"
        'a@example.org,"Lima, Ana ""Nina""",clinician,"Ward 1\nNorth wing"\n'
        "b@example.org,Bo Berg,support,\n"
    ).encode()
    report = read(data)
    assert fields(report) == [
        # a line break in a department would print as two lines: it is read as a space
        (2, "a@example.org", 'Lima, Ana "Nina"', "clinician", "Ward 1 North wing"),
        (4, "b@example.org", "Bo Berg", "support", ""),
    ]


def test_headers_are_case_insensitive_in_any_order_and_extra_columns_are_noted():
    data = (
        b"Staff number; PROFESSION ;Department;E-mail address;Full Name\n"
        b"\n"
        b"17;Clinicians;ICU;  Ann@Example.org ;  Ann   Smith \n"
    )
    report = read(data)
    assert report.ignored == ["Staff number"]
    assert fields(report) == [(3, "Ann@Example.org", "Ann Smith", "Clinicians", "ICU")]


def test_short_rows_read_missing_cells_as_empty():
    report = read(f"{HEADER}\na@example.org,Ann\n".encode())
    assert fields(report) == [(2, "a@example.org", "Ann", "", "")]


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("email,name", "Missing: “profession”."),
        ("mail address,name,profession", "Missing: “email”."),
        ("department", "Missing: “email”, “name”, “profession”."),
    ],
)
def test_a_missing_required_header_is_named(header, missing):
    with pytest.raises(CsvProblem, match="must name the columns email, name and profession") as err:
        read(f"{header}\nx\n".encode())
    assert missing in str(err.value)


def test_a_file_without_a_header_line_gets_a_hint():
    with pytest.raises(CsvProblem, match="add a line of column names above it"):
        read(b"ann@example.org,Ann,clinician\n")


def test_a_column_named_twice_is_refused():
    with pytest.raises(CsvProblem, match="“email” appears twice"):
        read(b"email,name,profession,E-mail\n")


@pytest.mark.parametrize("data", [b"", b"   \r\n\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n"])
def test_an_empty_file_is_refused(data):
    with pytest.raises(CsvProblem, match=r"^The file is empty\.$"):
        read(data)


def test_a_header_without_rows_is_refused():
    with pytest.raises(CsvProblem, match="has no rows of people"):
        read(f"{HEADER}\n\n".encode())


def test_the_size_limit_is_checked_before_reading():
    with pytest.raises(CsvProblem, match="larger than 1 MB"):
        decode(b"x" * (BIG + 1), BIG)
    with pytest.raises(CsvProblem, match="larger than 1 KB"):
        decode(b"x" * 1025, 1024)
    assert decode(f"{HEADER}\n".encode().ljust(1024, b" "), 1024)[1] == "UTF-8"


def test_the_row_limit_counts_people_not_lines():
    data = (
        HEADER + "\n\n" + "".join(f"p{i}@example.org,P {i},support,\n" for i in range(3))
    ).encode()
    assert len(read(data, max_rows=3).rows) == 3
    with pytest.raises(CsvProblem, match="more than 2 rows of people"):
        read(data, max_rows=2)


def test_an_unclosed_quote_is_reported_with_its_line():
    data = f'{HEADER}\na@example.org,Ann,clinician,\nb@example.org,"Bo,support,\n'.encode()
    with pytest.raises(CsvProblem, match=r"^Line 3: the file is not valid CSV"):
        read(data)


def test_a_workbook_is_refused_with_a_hint():
    with pytest.raises(CsvProblem, match="spreadsheet workbook, not a CSV"):
        decode(b"PK\x03\x04rest-of-a-zip", BIG)


def test_binary_data_is_refused():
    with pytest.raises(CsvProblem, match="not readable text"):
        decode(b"email\x00name\x00", BIG)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("clinician", "clinician"),
        ("Clinicians", "clinician"),
        (" EDUCATION ", "education"),
        ("Educators", "education"),
        ("Managers", "management"),
        ("Communication", "communications"),
        ("communications", "communications"),
        ("Support staff", "support"),
        ("Supports", "support"),
        ("dentist", None),
        ("", None),
    ],
)
def test_professions_accept_what_a_person_would_type(typed, meant):
    assert profession_of(typed) == meant
