"""The toolkit for writing rules: everything a rule module imports besides the registry.

- ``values``: three-valued readers of one value (number, flag, is_set, ...) and of a resource's
  change (creates_or_updates, will_exist); no rule guesses about UNKNOWN;
- ``links``: following a reference or a literal name from one resource to another;
- ``context``: what the document says around a resource (environment, region, default tags);
- ``rows``: the Row engine, for rules whose shape repeats (one ``Row`` per rule);
- ``documents``: IAM-style policy documents read from resources.
"""
