"""Tools for the people who maintain the policy pack, not for its users.

``bench`` (speed figures against checkov) and ``validate_examples`` (Terraform's own verdict on
every failing example). Nothing under ``policies/`` imports this package, so ``policies check``
never loads it.
"""
