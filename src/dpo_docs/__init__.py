"""dpo-docs: build briefings, Word fact sheets and org charts from structured data."""

__version__ = "0.1.0"
