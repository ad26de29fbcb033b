"""The security suite: the key never leaks, YAML is loaded safely, paths stay in the tree."""
