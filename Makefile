# Axolotl: a thin wrapper over CMake + Ninja. The real build is CMakeLists.txt.
#
#   make run     install missing Debian packages, build, run the IPC strategy comparison
#   make test    install missing Debian packages, build, run every test
#
# Build directory: build/ (executables in build/bin/). JOBS=N sets build parallelism
# (default: number of CPUs). BUILD_TYPE=Debug|Release|RelWithDebInfo (default RelWithDebInfo).

SHELL       := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE      ?= cmake
CTEST      ?= ctest
CMAKE_ARGS ?=
PYTHON3    ?= python3

.PHONY: help deps configure build test test-tsan check-freestanding check-includes run bench clean iso boot fuzz fuzz-build fuzz-smoke

help: ## list the targets
	@echo "Axolotl make targets (build dir: $(BUILD_DIR)/, JOBS=$(JOBS)):"
	@grep -E '^[a-z-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | \
	  awk -F':.*## ' '{ printf "  make %-20s %s\n", $$1, $$2 }'
	@echo "Quick start on a fresh Debian 12 machine: 'make run', 'make test'."

deps: ## install the missing Debian packages (tools/setup-deps.sh)
	@tools/setup-deps.sh

# Configure only when there is no build tree yet; afterwards Ninja re-runs CMake
# by itself whenever a CMakeLists.txt or a globbed source list changes.
configure: $(BUILD_DIR)/build.ninja ## run CMake (only if build/ is not configured yet)

$(BUILD_DIR)/build.ninja:
	$(CMAKE) -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)

build: configure ## build everything
	$(CMAKE) --build $(BUILD_DIR) -j $(JOBS)

# The bare-metal x86-64 kernel, its program images and system files, and the
# GRUB ISO (also part of `make build` when grub-mkrescue is installed).
iso: configure ## build build/axolotl.iso (bare-metal kernel + programs, GRUB; docs/bare-metal.md)
	$(CMAKE) --build $(BUILD_DIR) --target iso -j $(JOBS)

SYSTEM ?= pingpong
IPC    ?= rendezvous
boot: iso ## boot the ISO in QEMU, serial console here (SYSTEM=pingpong IPC=rendezvous)
	$(BUILD_DIR)/bin/axl boot --system $(SYSTEM) --ipc $(IPC)

# The freestanding check and the include-rule check run first as steps of their
# own so their reports are shown (ctest only shows the output of failed tests);
# ctest then runs every registered test, including 'kernel_freestanding' (a no-op
# when it passed) and 'include_rules' again; then a short run of every fuzz target
# (fuzz-smoke, its own clang tree); last, the parallel-mode tests under
# ThreadSanitizer (test-tsan, its own build tree). All steps always run; the
# recipe fails if any failed.
test: deps ## build, run the kernel freestanding and include-rule checks, every test (ctest), fuzz-smoke, then test-tsan
	@$(MAKE) --no-print-directory build
	@rc=0; \
	echo "== kernel freestanding check"; \
	if $(CMAKE) --build $(BUILD_DIR) --target kernel_freestanding; then \
	  echo "kernel freestanding check: passed"; \
	else rc=1; echo "kernel freestanding check: FAILED"; fi; \
	echo "== include rules (tools/include-rules.txt)"; \
	if $(PYTHON3) tools/check-includes.py; then \
	  echo "include-rule check: passed"; \
	else rc=1; echo "include-rule check: FAILED"; fi; \
	echo "== ctest"; \
	$(CTEST) --test-dir $(BUILD_DIR) --output-on-failure --no-tests=error -j2 --timeout 600 || rc=$$?; \
	$(MAKE) --no-print-directory fuzz-smoke || rc=$$?; \
	$(MAKE) --no-print-directory test-tsan || rc=$$?; \
	if [ $$rc -ne 0 ]; then echo "make test: FAILED"; exit $$rc; fi; \
	echo "make test: all passed"

# ThreadSanitizer (docs/testing.md): the parallel-mode tests, the fiber tests
# whose switches its annotations cover, and the check that TSan does catch a
# race between processes, built with AXL_SANITIZE=thread in their own tree and
# run one after the other (each uses every core). Any TSan report fails the run:
# halt_on_error stops at the first, with exit status 66.
# TSAN_GTEST_FILTER narrows the tests (a --gtest_filter pattern); TSAN_OPTIONS
# from the environment is appended (e.g. verbosity=1).
TSAN_BUILD_DIR    ?= build-tsan
TSAN_TESTS        ?= thread_sanitizer_test fiber_test parallel_test
TSAN_GTEST_FILTER ?= *
TSAN_STRICT       := halt_on_error=1 exitcode=66 second_deadlock_stack=1

$(TSAN_BUILD_DIR)/build.ninja:
	$(CMAKE) -S . -B $(TSAN_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAXL_SANITIZE=thread \
	  -DAXL_BUILD_BENCH=OFF

test-tsan: deps ## build and run the parallel-mode tests under ThreadSanitizer (build-tsan/)
	@echo "== ThreadSanitizer: building $(TSAN_TESTS) in $(TSAN_BUILD_DIR)/"
	@$(MAKE) --no-print-directory $(TSAN_BUILD_DIR)/build.ninja
	@started=$$SECONDS; rc=0; \
	$(CMAKE) --build $(TSAN_BUILD_DIR) -j $(JOBS) --target $(TSAN_TESTS) || rc=$$?; \
	if [ $$rc -eq 0 ]; then \
	  for test in $(TSAN_TESTS); do \
	    echo "== ThreadSanitizer: $$test"; \
	    TSAN_OPTIONS="$(TSAN_STRICT) $${TSAN_OPTIONS-}" AXL_SOURCE_DIR="$(CURDIR)" \
	      $(TSAN_BUILD_DIR)/bin/tests/$$test --gtest_filter='$(TSAN_GTEST_FILTER)' || rc=$$?; \
	  done; \
	fi; \
	took="$$((SECONDS - started))s"; \
	if [ $$rc -ne 0 ]; then echo "make test-tsan: FAILED (exit status $$rc, 66 = a ThreadSanitizer report; $$took)"; exit $$rc; fi; \
	echo "make test-tsan: passed, no ThreadSanitizer report ($$took)"

# Fuzzing with libFuzzer (docs/testing.md, "Fuzzing"): the targets of fuzz/,
# built with clang, coverage, AddressSanitizer and UBSan into their own tree,
# run one after the other (niced) for FUZZ_SECONDS each; FUZZ_TARGETS picks
# some. Inputs that crash or hang a target go to $(FUZZ_BUILD_DIR)/crashes/NAME/,
# and the run fails while any is there. The corpus each run grows is kept in
# $(FUZZ_BUILD_DIR)/corpus/NAME/. FUZZ_ARGS is passed to every fuzzer
# (e.g. FUZZ_ARGS=-max_len=65536). fuzz-smoke: the same for FUZZ_SMOKE_SECONDS each,
# part of `make test`.
FUZZ_BUILD_DIR     ?= build-fuzz
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 3
FUZZ_TARGETS       ?= system_description scenario system_file program_image server_messages
FUZZ_ARGS          ?=
FUZZ_CC            ?= clang-14
FUZZ_CXX           ?= clang++-14
FUZZ_CMAKE_ARGS    ?=

$(FUZZ_BUILD_DIR)/build.ninja:
	CC=$(FUZZ_CC) CXX=$(FUZZ_CXX) $(CMAKE) -S . -B $(FUZZ_BUILD_DIR) -G Ninja -DAXL_FUZZ=ON \
	  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" \
	  -DAXL_BUILD_TESTS=OFF -DAXL_BUILD_BENCH=OFF -DAXL_BUILD_BAREMETAL=OFF $(FUZZ_CMAKE_ARGS)

fuzz-build: deps $(FUZZ_BUILD_DIR)/build.ninja ## build the libFuzzer targets of fuzz/ with clang into build-fuzz/
	$(CMAKE) --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target $(addsuffix _fuzzer,$(FUZZ_TARGETS))

fuzz: fuzz-build ## run each fuzz target for FUZZ_SECONDS (default 60); crashes go to build-fuzz/crashes/
	fuzz/run-fuzzers.sh --build $(FUZZ_BUILD_DIR) --seed-build $(BUILD_DIR) --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS) -- $(FUZZ_ARGS)

fuzz-smoke: fuzz-build ## run each fuzz target for FUZZ_SMOKE_SECONDS (default 3; part of make test)
	fuzz/run-fuzzers.sh --build $(FUZZ_BUILD_DIR) --seed-build $(BUILD_DIR) --seconds $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS) -- $(FUZZ_ARGS)

check-freestanding: configure ## only the kernel freestanding check (compile + symbol/header check)
	$(CMAKE) --build $(BUILD_DIR) --target kernel_freestanding

# Reads only the sources: needs no build tree.
check-includes: ## only the include-rule check (tools/include-rules.txt, docs/architecture.md)
	$(PYTHON3) tools/check-includes.py

.PHONY: check-docs
check-docs: configure ## only the docs test: run the examples and commands of README.md and docs/ (docs/testing.md)
	$(CMAKE) --build $(BUILD_DIR) --target check_docs

run: deps ## build and run the IPC strategy comparison (build/bin/axl_bench_compare)
	@$(MAKE) --no-print-directory build
	$(BUILD_DIR)/bin/axl_bench_compare

# The full suite: 5 interleaved repetitions, aggregates only (mean, median,
# stddev, cv), JSON to $(BENCH_JSON), then the PNGs under $(BENCH_PLOTS)/.
# BENCH_ARGS is passed last, so it overrides the defaults (any --benchmark_*
# flag, e.g. BENCH_ARGS='--benchmark_filter=FanIn --benchmark_repetitions=3').
# PYTHON: the first of python3 and /usr/bin/python3 that has matplotlib
# (Debian's python3-matplotlib belongs to /usr/bin/python3).
BENCH_JSON  ?= results/bench.json
BENCH_PLOTS ?= $(dir $(BENCH_JSON))plots
BENCH_ARGS  ?=
PYTHON      ?= $(shell for p in python3 /usr/bin/python3; do \
                 if $$p -c 'import matplotlib' >/dev/null 2>&1; then echo $$p; exit 0; fi; done; echo python3)

bench: deps ## build, run the benchmark suite (axl_bench) to results/bench.json, plot to results/plots/
	@$(MAKE) --no-print-directory build
	@mkdir -p $(dir $(BENCH_JSON))
	$(BUILD_DIR)/bin/axl_bench --benchmark_format=console \
	  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
	  --benchmark_enable_random_interleaving=true \
	  --benchmark_out=$(BENCH_JSON) --benchmark_out_format=json $(BENCH_ARGS)
	$(PYTHON) tools/plot_results.py $(BENCH_JSON) --out $(BENCH_PLOTS)

clean: ## remove the build directories
	rm -rf $(BUILD_DIR) $(TSAN_BUILD_DIR) $(FUZZ_BUILD_DIR)
