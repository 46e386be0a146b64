"""The ``avs`` command line: a click root whose groups come from ``avs.cli`` entry points."""
