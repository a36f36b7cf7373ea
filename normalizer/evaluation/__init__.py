"""Scoring extractors against gold: corpus annotations and curated gold cases."""
