"""The Markdown tables of the Dagster UI's metadata survive any text a drop can carry."""

from __future__ import annotations

import re

from pipeline.markdown import markdown_cell, markdown_table

# A row boundary is a `|` that is not escaped.
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _cells(line: str) -> list[str]:
    return _UNESCAPED_PIPE.split(line.strip())[1:-1]


def test_a_pipe_in_a_rejection_reason_stays_inside_its_cell():
    table = markdown_table(("file", "reason", "rows"), [("tickets.csv", "channel 'a|b' is not one of x | y", 3)])
    header, rule, row = table.splitlines()
    assert len(_cells(header)) == len(_cells(row)) == 3
    assert _cells(row)[1].strip() == r"channel 'a\|b' is not one of x \| y"
    assert rule == "|---|---|---:|"


def test_newlines_in_raw_text_do_not_start_a_new_row():
    table = markdown_table(("raw",), [("line one\nline two\r\nline three\rfour",)])
    lines = table.splitlines()
    assert len(lines) == 3
    assert lines[2] == "| line one<br>line two<br>line three<br>four |"


def test_backslashes_cannot_unescape_a_pipe():
    # `a\|b` in the data must not become an escaped pipe followed by a cell boundary, nor vice versa.
    assert markdown_cell("a\\|b") == "a\\\\\\|b"
    assert len(_cells(markdown_table(("x", "y"), [("a\\", "b")]).splitlines()[2])) == 2


def test_none_is_empty_and_numbers_right_align():
    table = markdown_table(("n", "text"), [(1, None), (None, "x")])
    assert table.splitlines()[1:] == ["|---:|---|", "| 1 |  |", "|  | x |"]


def test_limit_says_how_many_rows_were_left_out():
    table = markdown_table(("n",), [(i,) for i in range(5)], limit=2)
    assert table.rstrip().endswith("… and 3 more")
    assert [line for line in table.splitlines() if line.startswith("| ")] == ["| n |", "| 0 |", "| 1 |"]
