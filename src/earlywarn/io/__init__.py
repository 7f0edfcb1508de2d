"""Readers and writers at the edges of earlywarn.

Inputs: scenario files (:mod:`earlywarn.io.scenario`). Outputs of a run, all offline (no
network access at run time, ever), all fed by one plain input record,
:class:`earlywarn.io.scene.SceneView`:

* :mod:`earlywarn.io.czml` — a CZML document for a Cesium globe view;
* :mod:`earlywarn.io.geojson` — an RFC 7946 FeatureCollection (launch and impact points,
  impact ellipses, defended areas, radar fans, ground tracks);
* :mod:`earlywarn.io.plots` — ``timeline.png`` and ``map.png`` (matplotlib, Agg);
* :mod:`earlywarn.io.html` — a self-contained ``report.html`` with the pictures embedded;
* :mod:`earlywarn.io.coastlines` — the shipped Natural Earth 1:110m outlines (public
  domain) the maps draw.

Submodules are imported on demand; importing :mod:`earlywarn.io` loads nothing heavy.
"""
