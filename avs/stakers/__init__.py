"""The stakers' view: operator performance computed from chain events alone.

``records`` (typed events) -> ``source`` (reads them from a node) -> ``cache`` (SQLite,
payloads by ``codec``) -> ``indexer`` (resumable scans) -> ``registry`` (operator-set state
at any block) and ``ledger`` -> ``metrics`` (figures per operator) -> ``report`` (the stable
JSON), ``render`` (tables), ``chart`` (PNG), ``live`` (watch). The command line is
:mod:`avs.cli.operators`.
"""
