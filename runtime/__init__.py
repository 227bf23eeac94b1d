"""ember's runtime: compiling traced modules through a backend's stages, and caching."""
