"""Answering: the chain (condense -> retrieve -> respond) and its backends."""
