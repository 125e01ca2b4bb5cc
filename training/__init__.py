"""Thesis toolchain: prepare annotated pairs, fine-tune, evaluate and compare (each script has --help)."""
