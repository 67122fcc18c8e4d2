"""Security pieces shared by the CLI and the worker: the payload encryption codec and the redaction of DAG
source text from the short reasons that go into workflow history (docs/security.md)."""
