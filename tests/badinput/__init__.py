"""The bad-input suite: broken site files through the real command line, and properties."""
