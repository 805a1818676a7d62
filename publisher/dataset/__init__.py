"""The build: data/*.yaml -> records -> RDF graph -> SHACL gate -> release in dist/."""
