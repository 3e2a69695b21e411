"""Printed documents: PDFs (diplomas, code sheets) and QR codes."""
