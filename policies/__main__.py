"""``python -m policies``: the policy CLI (see ``policies/cli.py``)."""

from policies.cli import main

if __name__ == "__main__":
    main()
