# PeerGrid. `make demo` runs the main job on bundled data; `make test` builds and runs every test.
SHELL := /bin/bash
# g++ brings the C++ standard library headers for Sources/CbcDeadline (CBC event handlers in C++).
APT_PACKAGES := libglpk-dev coinor-libcbc-dev libopenblas-dev libsqlite3-dev pkg-config g++ libopenmpi-dev openmpi-bin python3 python3-cryptography
SWIFT ?= swift
export OPENBLAS_NUM_THREADS ?= 2
RELEASE_BIN = .build/release

.PHONY: deps build release test format format-check demo case-study screenshot bench bench-setup examples readme-check leakcheck cluster-binary slurm-test fuzz clean

# Install the system libraries when any is missing (apt; sudo when not root). After an install, Package.swift is
# touched: SwiftPM keeps the compiler flags pkg-config gave it (none, for a library not yet installed) in its build
# plan until the manifest changes, so a `swift build` tried before `make deps` kept failing on CBC's headers after it.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	  touch Package.swift; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The toolchain's formatter with .swift-format (4 spaces, 160 columns, the pretty printer's layout).
FORMAT_PATHS := Sources Tests Fuzz/Sources
format:
	$(SWIFT) format format -i -r $(FORMAT_PATHS)

# Fails (and names the files) when any source is not as `make format` leaves it.
format-check:
	@$(SWIFT) format lint --strict -r $(FORMAT_PATHS) || { echo "unformatted sources: run make format"; exit 1; }

test: deps format-check
	$(SWIFT) build --build-tests
	@# The whole log goes to .build/test.log; the terminal gets every recorded issue and the summary.
	$(SWIFT) test --skip-build --parallel --num-workers 2 > .build/test.log 2>&1; rc=$$?; \
	grep -E 'recorded an issue|✘|error:' .build/test.log | head -n 200; tail -n 25 .build/test.log; \
	echo "full test log: .build/test.log"; exit $$rc

demo: release
	./scripts/demo.sh

# The Brooklyn-Microgrid-style case study end to end (forecasts, plan, market, ledger, replay, proofs, replicas,
# tampering, a fork, the Python verifier) into Reports/case-study/ (about a minute).
case-study: release
	./scripts/case-study.sh

# The demo report rendered by headless Chromium (installed when missing) into Reports/demo-report.png.
screenshot: demo
	@command -v chromium >/dev/null || { SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; $$SUDO apt-get install -y -qq chromium >/dev/null; }
	./scripts/screenshot.sh Reports/demo-10/2000-08-27/report.html Reports/demo-report.png

# The Python references (PuLP) in a virtual environment under Benchmarks/.
bench-setup:
	@[ -x Benchmarks/.venv/bin/python ] || python3 -m venv Benchmarks/.venv
	@Benchmarks/.venv/bin/python -c "import pulp, highspy, statsmodels, statsforecast, torch, pymarket, cryptography, sklearn" 2>/dev/null || Benchmarks/.venv/bin/pip install -q -r Benchmarks/requirements.txt

bench: release bench-setup
	$(RELEASE_BIN)/benchmark all

# Every community example with both solvers against EXPECTED.md (and ../shared's checker when present).
examples: release
	./scripts/examples.sh

# Reruns the README's command examples with the release build and compares their output (durations masked).
readme-check: release
	python3 scripts/readme_examples.py

# The solver tests under valgrind's leak check (bindings must not leak).
leakcheck: deps
	@command -v valgrind >/dev/null || { SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; $$SUDO apt-get install -y -qq valgrind >/dev/null; }
	$(SWIFT) build --build-tests
	./scripts/leakcheck.sh

# A release peergrid that carries the Swift runtime, for compute nodes without Swift (.build-static/release/peergrid).
cluster-binary: deps
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-static --product peergrid
	@./scripts/check-node.sh .build-static/release/peergrid

# The shipped Slurm deploy files on a real one-node Slurm cluster on localhost (installs slurm and munge when missing).
slurm-test: cluster-binary
	./scripts/slurm-test.sh

# libFuzzer on every reader (Fuzz/: community JSON, time-series CSV, MPS, LP, saved models, bids), FUZZ_SECONDS each.
FUZZ_SECONDS ?= 100
fuzz: deps
	cd Fuzz && $(SWIFT) build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
	./scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	rm -rf .build .build-static .build-fuzz Fuzz/.build
