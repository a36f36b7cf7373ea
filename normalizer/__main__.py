"""``python -m normalizer``: the same as the ``normalizer`` command."""

from .cli import main

if __name__ == "__main__":  # worker processes import this module without running the command
    main()
