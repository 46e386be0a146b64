"""``python -m avs`` runs the ``avs`` command line."""

from avs.cli.main import main

main()
