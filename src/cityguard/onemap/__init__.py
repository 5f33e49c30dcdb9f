"""The one map: the layer registry every app adds GeoJSON layers to, and the map page."""
