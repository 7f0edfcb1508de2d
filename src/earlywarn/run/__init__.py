"""Assembling and running the chain: from a scenario to library objects (:mod:`.build`),
one run through flight, sensors, center and evaluation (:mod:`.pipeline`), the files a
run leaves behind (:mod:`.outputs`, :mod:`.sceneview`), and Monte Carlo studies
(:mod:`.sampling`, :mod:`.study`, :mod:`.engines`).

Submodules are imported on demand; importing :mod:`earlywarn.run` loads nothing heavy.
"""
