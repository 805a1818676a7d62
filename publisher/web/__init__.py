"""The web layer: reads only what the build published under dist/current."""
