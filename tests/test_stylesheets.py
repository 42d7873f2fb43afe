"""The stylesheets parse: one unclosed block would silently swallow every rule after it."""

from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parent.parent / "static" / "css"


@pytest.mark.parametrize("sheet", sorted(p.name for p in STATIC.glob("*.css")))
def test_every_block_is_closed_where_it_opens(sheet):
    text = (STATIC / sheet).read_text()
    depth, in_comment = 0, False
    for number, line in enumerate(text.splitlines(), start=1):
        i = 0
        while i < len(line):
            pair = line[i : i + 2]
            if in_comment:
                if pair == "*/":
                    in_comment, i = False, i + 2
                    continue
            elif pair == "/*":
                in_comment, i = True, i + 2
                continue
            elif line[i] == "{":
                depth += 1
                # Rules sit at most inside one @media (or @supports) block.
                assert depth <= 2, f"{sheet}:{number}: a block opened inside a rule"
            elif line[i] == "}":
                depth -= 1
                assert depth >= 0, f"{sheet}:{number}: a block closed that was never opened"
            i += 1
        if line and not line[0].isspace() and not in_comment and not line.startswith("}"):
            # A rule or an at-rule starting at the left margin is at the top level.
            assert depth - line.count("{") + line.count("}") == 0, f"{sheet}:{number}: still inside a block: {line[:60]}"
    assert depth == 0 and not in_comment, f"{sheet}: {depth} block(s) left open"
