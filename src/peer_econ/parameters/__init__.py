"""Generic uncertainty objects: distributions, parameter table, copula (no file reading)."""
