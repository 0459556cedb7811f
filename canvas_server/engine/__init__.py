"""The scheduler: cache keys, result cache, run records and the parallel executor."""
