"""Facts that several packages need, each defined once (standard library only, no imports here).

aws.py      AWS facts: the Fargate task sizes, the regions this project supports
project.py  project facts: its name, the default repository, the hidden markers of the PR
            comment and the drift issue, the URL of the running workflow
"""
