"""Analyses around the center: coverage and warning-time maps, Monte Carlo, metrics, and
evaluation of center output against truth."""
