"""Analyses around the center, library only (no files, no running of scenarios):
evaluation of center output against truth, GOSPA, coverage and warning-time maps, and the
statistics of Monte Carlo studies (the study table, its summary, the estimators)."""
