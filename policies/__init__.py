"""Policy pack for CDKTF synth output and Terraform plans: catches apply-time AWS errors early.

Layout: ``loader`` turns input files into ``model.Document`` objects, ``rules/`` holds the pure
rule functions registered with ``registry.rule``, ``engine`` runs them and applies ``waivers``,
``reporters/`` render the result, and ``cli`` ties it together (``python -m policies``).
Nothing here imports cdktf: checking three stacks must stay well under a second.
"""

__version__ = "1.0.0"
