"""Domain errors (no HTTP here).

``BadRecord``: one provider record cannot be normalised; the job skips it with the reason.
"""


class BadRecord(ValueError):
    """A provider record is malformed (missing field, unknown enum, unparseable number)."""
