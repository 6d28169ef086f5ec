"""The one rule for names, titles and links: find, describe and strip hidden characters."""

import unicodedata

import pytest

from smresidency.text import clean_name, printable, refusal, unsafe_characters
from tests.fixtures.control_characters import FORBIDDEN, FORBIDDEN_IN_BODY, LINKS, NAMES

CORPUS = {**NAMES, **{f"link: {k}": v for k, v in LINKS.items()}}


@pytest.mark.parametrize("text", CORPUS.values(), ids=CORPUS.keys())
def test_every_corpus_entry_is_found_and_printed_without_it(text):
    assert unsafe_characters(text)
    assert FORBIDDEN.search(text)
    assert not FORBIDDEN.search(printable(text))
    assert not FORBIDDEN_IN_BODY.search(printable(text, multiline=True))
    assert not unsafe_characters(printable(text))


def test_a_line_break_becomes_one_space_and_the_rest_is_kept():
    assert printable(NAMES["header injection"]) == "Line One Bcc: victim@evil.example"
    assert printable("Ann\u202e Archer") == "Ann Archer"
    assert printable("Ann\x00Archer") == "AnnArcher"


def test_a_mail_body_keeps_its_lines_but_not_carriage_returns_or_overrides():
    body = "Hello Ann\u202e,\r\n\r\n\tYour link:\x07 https://example.org\n"
    assert printable(body, multiline=True) == "Hello Ann,\n\n\tYour link: https://example.org\n"


@pytest.mark.parametrize(
    "text",
    ["Zoë Παπαδοπούλου", "Nia Okafor-Smith", "O'Brien, Siobhán", "محمد عبد الله", "李小龙", ""],
)
def test_ordinary_names_in_any_script_pass_unchanged(text):
    assert unsafe_characters(text) == []
    assert printable(text) == text
    assert clean_name(text) == text


def test_names_are_stored_in_nfc():
    decomposed = "Zoe\u0308 Ådahl"  # e + combining diaeresis, as macOS keyboards send it
    assert clean_name(f"  {decomposed} ") == "Zoë Ådahl"
    assert unicodedata.is_normalized("NFC", clean_name(decomposed))
    assert printable(decomposed) == "Zoë Ådahl"


def test_the_refusal_names_each_character_once_with_its_code_point():
    found = unsafe_characters("A\u202eB\u202eC\r\nD")
    assert found == [
        "U+202E (right-to-left override)",
        "U+000D (carriage return)",
        "U+000A (line break)",
    ]
    message = refusal(found)
    assert message.startswith("Remove the hidden control characters U+202E (right-to-left")
    assert "they change how the text reads" in message
    assert refusal(unsafe_characters("A\x1bB")) == (
        "Remove the hidden control character U+001B (control character): "
        "it changes how the text reads where it is printed."
    )


def test_zero_width_joiners_that_scripts_need_are_not_controls():
    # ZWJ/ZWNJ (Cf, but not bidi controls) shape Persian, Hindi and emoji sequences.
    for text in ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "क्\u200dष", "👩\u200d⚕️"):
        assert unsafe_characters(text) == []
        assert printable(text) == text
