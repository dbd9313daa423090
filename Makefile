# The two commands of the README: `make demo` and `make test`.
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all deps build demo test test-release bench fuzz clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/src/app/onair demo

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DONAIR_SANITIZE=ON \
	  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g"

# Every test, under AddressSanitizer and UBSan.
test: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j 2 --timeout 300
	scripts/fuzz.sh 10

# The same tests on the optimised build.
test-release: build
	cd $(BUILD) && ctest --output-on-failure -j 2 --timeout 300

# Every parser of untrusted bytes under libFuzzer: FUZZ_SECONDS each (make test runs 10).
FUZZ_SECONDS ?= 120
fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS)

bench: build
	bench/ladder/run.sh
	bench/origin/run.sh
	bench/edge/run.sh
	bench/playback/run.sh
	bench/latency/run.sh
	bench/metrics/run.sh
	bench/loadgen/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
