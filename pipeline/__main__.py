"""``python -m pipeline`` (``pipenv run pipeline``)."""

import sys

from pipeline.cli import main

sys.exit(main())
