"""URL converters shared by every blueprint."""

from werkzeug.routing import IntegerConverter

# Every id column is INTEGER, which PostgreSQL stores in 32 bits: a larger number in a query
# is a DataError there (and past 2**63 an OverflowError in SQLite), so it never names a row.
LARGEST_ID = 2**31 - 1


def at_most(limit: int) -> str:
    """A regex for the decimal numbers 0..limit, so a larger one never matches the rule at all
    (a range check after matching would turn GET-only URLs into 405s for other methods)."""
    digits = str(limit)
    shorter = rf"\d{{1,{len(digits) - 1}}}" if len(digits) > 1 else None
    same_length = [digits]
    for i, d in enumerate(digits):
        if d != "0":
            rest = len(digits) - i - 1
            tail = rf"\d{{{rest}}}" if rest else ""
            same_length.append(f"{digits[:i]}[0-{int(d) - 1}]{tail}")
    return "(?:" + "|".join(filter(None, [shorter, *same_length])) + ")"


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` that does not match past LARGEST_ID, so a too-large id is a 404, not a 500."""

    regex = at_most(LARGEST_ID)

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        bound = LARGEST_ID if max is None or max > LARGEST_ID else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bound, signed=signed)


def register_converters(app) -> None:
    """Replace the `int` converter before any blueprint adds a rule that uses it."""
    app.url_map.converters["int"] = BoundedIntegerConverter
