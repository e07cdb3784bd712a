"""The one reader of Terraform JSON, shared by ``policies`` and ``pipeline``.

reader.py   bytes -> JSON the way users' shells write it (UTF-8, BOM, UTF-16); one-line errors
kind.py     the one rule that tells a configuration (``*.tf.json``) from a plan
            (``terraform show -json``), and rejects states and other JSON
values.py   the ``UNKNOWN`` sentinel, the merge of ``after_unknown``, sensitivity masking
config.py   configuration values: CDKTF tokens and plan expressions become ``UNKNOWN``, with
            the resource each reference names kept
plan.py     ``terraform show -json`` output as typed, read-only objects (the one plan reader)
actions.py  Terraform's action and action_reason values, in words

Standard library only, and nothing is imported here: each caller imports the module it uses,
so a command pays only for what it reads.
"""
