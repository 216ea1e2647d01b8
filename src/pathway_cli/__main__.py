"""Allow ``python -m pathway_cli``."""

from pathway_cli.cli import main

main()
