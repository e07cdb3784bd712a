"""``python -m scripts.gate``: what ``scripts/pre-validate-iac.sh`` runs once the env is synced."""

import sys

from scripts.gate.cli import main

sys.exit(main(sys.argv[1:]))
