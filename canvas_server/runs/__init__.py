"""The persistent run queue and history, and the manager that executes queued runs."""
