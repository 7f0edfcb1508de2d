"""Readers and writers at the edges of earlywarn: file formats only.

Inputs: scenario files (:mod:`earlywarn.io.scenario`), study files
(:mod:`earlywarn.io.study`, also the part files a study writes), report files
(:mod:`earlywarn.io.reports`). Tables: a run's truth and tracks (:mod:`earlywarn.io.tables`);
coverage and warning maps as Parquet, GeoJSON and PNG (:mod:`earlywarn.io.maps`). Pictures
and pages of a run, all offline (no network access at run time, ever), all fed by one
plain input record, :class:`earlywarn.io.scene.SceneView`:

* :mod:`earlywarn.io.czml` — a CZML document for a Cesium globe view;
* :mod:`earlywarn.io.geojson` — an RFC 7946 FeatureCollection (launch and impact points,
  impact ellipses, defended areas, radar fans, ground tracks);
* :mod:`earlywarn.io.plots` — ``timeline.png`` and ``map.png`` (matplotlib, Agg);
* :mod:`earlywarn.io.html` — a self-contained ``report.html`` with the pictures embedded;
* :mod:`earlywarn.io.coastlines` — the shipped Natural Earth 1:110m outlines (public
  domain) the maps draw.

Submodules are imported on demand; importing :mod:`earlywarn.io` loads nothing heavy.
"""
