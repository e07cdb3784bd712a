"""``python -m infra`` (``pipenv run synth``): synthesize all selected stacks into cdktf.out."""

import os
import sys

from infra.app import main

try:
    sys.exit(main(sys.argv[1:]))
except BrokenPipeError:
    # The reader (e.g. `synth --help | head`) closed the pipe: not an error of ours. Point stdout
    # at /dev/null so the interpreter's final flush does not print a second traceback.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)
