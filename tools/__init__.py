"""Command-line tools: `ember-opt` (tools/ember_opt.py) parses, verifies and transforms ember IR."""
