"""Sensors: the orbits of the infrared early-warning satellites, their payloads, and radars.

Units and frames follow the package contract (SI inside; unit in every non-SI name).
"""
