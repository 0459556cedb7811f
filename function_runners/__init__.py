"""Where nodes actually run: the local process pool (default) and Celery workers per tier."""
