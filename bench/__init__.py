"""Benchmarks (`make bench`): each compares our code against the obvious baseline."""
