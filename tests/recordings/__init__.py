"""Recorded network exchanges, written from the networks' API documentation."""
