class IdConverter:
    """A database id in a URL: digits that fit a 64-bit integer, so a huge number is a 404
    rather than a database error."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))
