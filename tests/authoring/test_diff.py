"""The side-by-side diff: rows pair lines, changes are typed, long unchanged runs fold."""

from smresidency.authoring.diff import Row, all_rows, changed_lines, diff_rows, fold, lines_of


def _numbered(n: int, prefix: str = "line") -> list[str]:
    return [f"{prefix} {i}" for i in range(1, n + 1)]


def test_identical_short_texts_are_all_equal_rows():
    rows = all_rows(lines_of("a\nb\n"), lines_of("a\nb\n"))
    assert rows == [Row(1, "a", 1, "a", "equal"), Row(2, "b", 2, "b", "equal")]
    assert changed_lines(rows) == 0
    assert diff_rows("a\n", "a\n") == [Row(1, "a", 1, "a", "equal")]  # one line stays


def test_a_changed_line_is_one_replace_row_with_both_sides():
    rows = diff_rows("one\ntwo\nthree", "one\nTWO\nthree")
    assert rows[1] == Row(2, "two", 2, "TWO", "replace")
    assert [r.kind for r in rows] == ["equal", "replace", "equal"]


def test_inserted_and_deleted_lines_leave_the_other_side_empty():
    inserted = diff_rows("a\nc", "a\nb\nc")
    assert inserted == [
        Row(1, "a", 1, "a", "equal"),
        Row(None, "", 2, "b", "insert"),
        Row(2, "c", 3, "c", "equal"),
    ]
    deleted = diff_rows("a\nb\nc", "a\nc")
    assert deleted[1] == Row(2, "b", None, "", "delete")
    assert deleted[2] == Row(3, "c", 2, "c", "equal")


def test_a_replace_block_of_unequal_length_ends_in_inserts_or_deletes():
    rows = all_rows(["x", "old 1", "y"], ["x", "new 1", "new 2", "new 3", "y"])
    assert [(r.kind, r.left_number, r.right_number) for r in rows] == [
        ("equal", 1, 1),
        ("replace", 2, 2),
        ("insert", None, 3),
        ("insert", None, 4),
        ("equal", 3, 5),
    ]
    shrunk = all_rows(["old 1", "old 2", "old 3"], ["new"])
    assert [r.kind for r in shrunk] == ["replace", "delete", "delete"]


def test_empty_or_missing_text_is_all_inserts():
    rows = diff_rows(None, "title\nbody")
    assert [r.kind for r in rows] == ["insert", "insert"]
    assert rows[0].left_number is None and rows[0].right_text == "title"
    assert diff_rows("", "") == []
    assert lines_of("a\r\nb\n") == ["a", "b"]


def test_a_long_unchanged_middle_folds_keeping_three_lines_of_context():
    left = _numbered(30)
    right = list(left)
    right[1] = "changed near the top"
    right[27] = "changed near the end"
    rows = diff_rows("\n".join(left), "\n".join(right))
    kinds = [r.kind for r in rows]
    # line 1, the change, 3 lines of context, the gap, 3 lines, the change, lines 29 and 30
    assert (
        kinds
        == ["equal", "replace", *["equal"] * 3, "gap", *["equal"] * 3, "replace"] + ["equal"] * 2
    )
    gap = rows[5]
    assert gap.hidden == 25 - 3 - 3  # lines 3 to 27 are unchanged
    assert gap.label == "19 unchanged lines"
    assert gap.left_number == 6 and gap.right_number == 6  # the first line it stands for
    after = rows[rows.index(gap) + 1]
    assert after.left_number == 6 + gap.hidden


def test_the_head_and_tail_of_the_file_fold_too():
    left = _numbered(20)
    right = list(left)
    right[9] = "the only change"
    rows = diff_rows("\n".join(left), "\n".join(right))
    assert rows[0].kind == "gap" and rows[0].hidden == 6 and rows[0].left_number == 1
    assert [r.left_number for r in rows[1:8]] == [7, 8, 9, 10, 11, 12, 13]
    assert rows[4].kind == "replace"
    assert rows[-1].kind == "gap" and rows[-1].hidden == 7 and rows[-1].label.startswith("7 ")


def test_one_hidden_line_is_shown_rather_than_folded():
    equal = [Row(i, "x", i, "x", "equal") for i in range(1, 8)]
    change = Row(8, "a", 8, "b", "replace")
    rows = fold([change, *equal, change], context=3)
    assert all(r.kind != "gap" for r in rows) and len(rows) == 9
    rows = fold([change, *equal, Row(9, "y", 9, "y", "equal"), change], context=3)
    assert [r.kind for r in rows].count("gap") == 1
    assert next(r for r in rows if r.kind == "gap").label == "2 unchanged lines"


def test_identical_long_texts_are_one_gap():
    text = "\n".join(_numbered(50))
    rows = diff_rows(text, text)
    assert len(rows) == 1 and rows[0].kind == "gap" and rows[0].hidden == 50


def test_repeated_blank_lines_do_not_confuse_the_match():
    body = "\n".join(f"paragraph {i}\n" for i in range(300))
    rows = diff_rows(body, body.replace("paragraph 150", "paragraph one-fifty"))
    assert changed_lines(rows) == 1
    (change,) = [r for r in rows if r.kind == "replace"]
    assert change.left_text == "paragraph 150" and change.right_text == "paragraph one-fifty"
