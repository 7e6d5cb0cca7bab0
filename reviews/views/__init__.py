"""Thin views of the review pipeline, one module per part of the staff tree (see reviews/urls.py)."""
