"""Space: what orbits the Earth, as both the simulated sky and the center's own catalog know it.

``orbits`` (Kepler + J2 secular and SGP4 element sets, TLE and OMM formats, ephemerides in
ECEF) sits below both the sensors (which fly the early-warning satellites and the resident
space objects) and the center (which propagates its catalog of known objects to correlate
radar tracks with them). It imports only ``earth``.
"""
