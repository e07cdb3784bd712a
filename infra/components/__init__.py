"""One construct per domain; stacks compose them. Each exposes its resources as attributes."""
