"""``python -m gate``: what ``scripts/pre-validate-iac.sh`` runs once the env is synced."""

import sys

from gate.cli import main

sys.exit(main(sys.argv[1:]))
