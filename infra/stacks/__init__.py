"""Terraform stacks: composition only, no resource details and no os.environ."""
