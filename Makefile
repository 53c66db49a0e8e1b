# Everyday commands. `make help` lists them.
#   make run-server                 the server on localhost:8888
#   make run-client NAME=Bob        a client named Bob
PORT ?= 8888
HOST ?= localhost
NAME ?=
# TRACE=1 prints every frame on stderr; TRACE=hex adds a hex dump.
TRACE ?=
# ARGS passes more flags on: ARGS="--members-only --deny-ext exe,bat" to the
# server, ARGS=--register to the client.
ARGS ?=
TRACE_FLAG = $(if $(TRACE),--trace$(if $(filter hex,$(TRACE)),=hex))

CARGO_RUN = cargo run --quiet --bin

.PHONY: help run-server run-client test fmt lint bench

help:
	@echo "make run-server [PORT=8888] [HOST=localhost]    start the chat server"
	@echo "make run-client [NAME=Bob] [PORT=..] [HOST=..]  start a chat client"
	@echo "   add TRACE=1 (or TRACE=hex) to either to watch every frame,"
	@echo "   and ARGS=\"--flag ...\" for more flags (--help lists them)"
	@echo "make test                                       run every test (cargo test)"
	@echo "make fmt                                        format the code"
	@echo "make lint                                       clippy, warnings as errors"
	@echo "make bench                                      speed figures (release build)"

run-server:
	$(CARGO_RUN) chat-server -- $(strip --port $(PORT) --host $(HOST) $(TRACE_FLAG) $(ARGS))

run-client:
	$(CARGO_RUN) chat-client -- $(strip --port $(PORT) --host $(HOST) $(if $(NAME),--name $(NAME)) $(TRACE_FLAG) $(ARGS))

test:
	cargo test

fmt:
	cargo fmt --all

lint:
	cargo clippy --all-targets -- -D warnings

# Benchmarks are plain programs (see Cargo.toml); each prints its own table.
# The chat benchmark's join storm holds 5,000 connections, about 15,000 open
# files in the server, far more than the usual default of 1,024: raise the
# limit as far as the system allows. SOCKET_CHAT_PEER_CHAT=/path/to/chat
# (tokio's chat example, built elsewhere) adds it to the storm's table.
bench:
	ulimit -n 32768 2>/dev/null || ulimit -n $$(ulimit -Hn) 2>/dev/null || true; cargo bench --bench chat
	cargo bench --bench codec --bench json --bench history
