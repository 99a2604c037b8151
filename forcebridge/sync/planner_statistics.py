"""When a run has the database count its contact tables again.

PostgreSQL chooses how to run a page's lookups from what it believes the tables hold. During a
first pull the contact book grows faster than autovacuum counts it (once a minute at most), and
planned for the nearly empty book it last counted, the lookups went through any index that
starts with the service and read every contact of it: 60 µs a record at 100,000, and growing
with the book. A run has the tables counted each time its own creates have doubled, from the
first 2,000 on: a handful of ANALYZEs (a fraction of a second each) however large the pull, and
PostgreSQL never believes the book less than half its size.
"""

from __future__ import annotations

FIRST_REFRESH = 2_000
"""Creates before the first count: a page's worth."""


def refresh_due(created: int, counted_at: int) -> bool:
    """Whether a run that has created `created` contacts, and had them counted when it had
    created `counted_at`, should have them counted again."""
    return created >= max(FIRST_REFRESH, 2 * counted_at)
