"""The monthly evaluation (SPEC §8): metrics and judging, runs, outcomes, notices, what-if, pages' reads."""
