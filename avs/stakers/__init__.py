"""The stakers' view: operator performance computed from chain events alone.

``records`` (typed events) -> ``source`` (reads them from a node) -> ``cache`` (SQLite) ->
``indexer`` (resumable scans) -> ``registry`` (operator-set state at any block) ->
``metrics`` (figures per operator) -> ``report`` (the stable JSON), ``render`` (tables),
``chart`` (PNG). The command line is :mod:`avs.cli.operators`.
"""
