"""The PR gate behind ``scripts/pre-validate-iac.sh``: one verdict, the same on a laptop and in CI.

Layout: ``cli`` parses flags into a frozen ``GateOptions``; ``runner`` runs the steps (those
that do not depend on each other in parallel), times them and keeps each one's log;
``steps/`` holds one module per step; ``summary`` renders the console table and
``reports/summary.md``.
"""
