"""``python -m earlywarn`` is the ``earlywarn`` command."""

from earlywarn.cli import main

main()
