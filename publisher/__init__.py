"""Klimatsamarbeten LOD: publish Swedish municipalities' climate collaborations as linked data."""

__version__ = "0.1.0"
