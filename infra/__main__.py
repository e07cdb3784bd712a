"""``python -m infra`` (``pipenv run synth``): synthesize all selected stacks into cdktf.out."""

import sys

from infra.app import main

sys.exit(main(sys.argv[1:]))
