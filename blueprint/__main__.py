"""``python -m blueprint check ...``: the same command as the ``blueprint`` console script."""
import sys

from blueprint.cli import main

if __name__ == "__main__":
    sys.exit(main())
