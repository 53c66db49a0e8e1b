# Everyday commands. `make help` lists them.
PORT ?= 8888
HOST ?= localhost

.PHONY: help test fmt lint

help:
	@echo "make test   run every test (the same as: cargo test)"
	@echo "make fmt    format the code"
	@echo "make lint   run clippy with warnings as errors"

test:
	cargo test

fmt:
	cargo fmt --all

lint:
	cargo clippy --all-targets -- -D warnings
