"""Publishing: planned posts, their variants and deliveries, the engine that sends them."""
