"""``python -m pulumi_engagement.cli``: the same as the ``engagement`` console script."""

import sys

from .main import main

if __name__ == "__main__":
    sys.exit(main())
