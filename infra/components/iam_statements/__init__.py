"""IAM policy statements of the bootstrap's CI roles, apart from the constructs that attach them.

- ``actions``: the action lists (refresh reads, denied data reads, IAM role and policy actions).
- ``github_trust``: OIDC subjects and the web-identity trust statements.
- ``state_access``: one environment's state, record, lock and saved plans.
- ``plan_read``: the plan role's refresh reads and explicit denies.
- ``apply_iam``: the apply role's IAM, always under the boundary.
- ``boundary``: the permissions boundary of every role an apply creates.
- ``lateral_movement``: the denials the apply roles and the boundary share (role chaining,
  trust-policy rewrites, remote commands).

Every builder is a pure function returning statements; ``infra.components.github_oidc`` turns
them into policies and roles.
"""
