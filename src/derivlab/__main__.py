"""``python -m derivlab``: the ``derivlab`` command."""

import sys

from derivlab.cli import main

if __name__ == "__main__":
    sys.exit(main())
