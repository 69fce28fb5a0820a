"""The numpy-only reference module: a nearest-centroid classifier on particle features."""

__all__: list[str] = []
