"""Connector sync lifecycle: sync started/finished, stream markers, connections."""
