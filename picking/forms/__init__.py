"""Forms of the picking pages; each area owns its own module."""
