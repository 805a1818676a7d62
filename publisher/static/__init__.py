"""The site as static files behind a web server (`publisher export-static`)."""
