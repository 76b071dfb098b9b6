# Convenience front end for CMake. `make` builds an optimised connlog in
# build/, `make test` builds with ASan+UBSan in build-test/ and runs every
# test, `make demo` writes conn.log from the bundled sample trace.
BUILD      ?= build
TEST_BUILD ?= build-test
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps demo test bench fuzz clean

all:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCONNLOG_TESTS=OFF >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

deps:
	./scripts/install-deps

demo: all
	./$(BUILD)/connlog -r samples/sample.pcap -w - --seed 1

test:
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCONNLOG_SANITIZE=ON >/dev/null
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

bench:
	./bench/run

fuzz:
	./fuzz/run

clean:
	rm -rf $(BUILD) $(TEST_BUILD)
