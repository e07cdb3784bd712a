"""Entry point for the cdktf CLI, which runs ``python main.py`` from infra/ (see cdktf.json)."""

import sys
from pathlib import Path

# The CLI runs this file from infra/, so the repository root is not on sys.path by default.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra.app import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
