# The two commands of README.md: `make run` and `make test`. Both install what is missing first.
PRESET_RUN  ?= release
PRESET_TEST ?= ci
DATA_HOME   ?= $(or $(XDG_DATA_HOME),$(HOME)/.local/share)
DEMO        ?= $(DATA_HOME)/winnow/demo-fashion-mnist

.PHONY: deps build build-test run test test-asan fuzz package bench demo format format-check clean

deps:
	bash packaging/install-deps.sh

build: deps
	cmake --preset $(PRESET_RUN)
	cmake --build --preset $(PRESET_RUN)

build-test: deps
	cmake --preset $(PRESET_TEST)
	cmake --build --preset $(PRESET_TEST)

demo: build
	@if [ ! -f "$(DEMO)/project.winnow" ]; then \
	  build/$(PRESET_RUN)/app/winnow-cli demo "$(DEMO)"; \
	fi

run: demo
	build/$(PRESET_RUN)/app/winnow "$(DEMO)"

test: build-test format-check
	ctest --preset $(PRESET_TEST)

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer (a build of its own).
test-asan: deps
	cmake --preset asan
	cmake --build --preset asan
	ctest --preset asan

# Each libFuzzer target for FUZZ_SECONDS (default 150); findings land in build/fuzz/findings.
fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz
	bash tests/fuzz/run.sh

# The Debian package, in build/release: winnow_VERSION_ARCH.deb.
package: build
	cd build/$(PRESET_RUN) && cpack

bench: build
	bash tests/bench/run.sh build/$(PRESET_RUN)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

# Fails, naming the files, when any source differs from what .clang-format makes of it.
format-check: deps
	bash packaging/format-check.sh

clean:
	rm -rf build
