"""``python -m normalizer``: the same as the ``normalizer`` command."""

from .cli import main

main()
