"""The bundled sample project: real public data and a filled-in design document (see README.md)."""
