"""Allow ``python -m dpo_docs``."""

from dpo_docs.cli import main

main()
