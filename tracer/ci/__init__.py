"""CI glue: detect the CI host and change (`ci.detect`), then publish what the reporters rendered.

Publishers take rendered strings (and the result records, for annotations and outputs);
they never re-run the scan and never change the verdict. Client libraries (PyGithub,
python-gitlab) are imported only inside the publisher that needs them.
"""
