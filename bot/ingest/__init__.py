"""Turning policy documents into searchable chunks: loaders, chunking, the ingest pipeline."""
