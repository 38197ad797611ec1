# The two commands of README.md: `make run` and `make test`. Both install what is missing first.
PRESET_RUN  ?= release
PRESET_TEST ?= ci
DATA_HOME   ?= $(or $(XDG_DATA_HOME),$(HOME)/.local/share)
DEMO        ?= $(DATA_HOME)/winnow/demo-fashion-mnist

.PHONY: deps build build-test run test bench demo format clean

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

test: build-test
	ctest --preset $(PRESET_TEST)

bench: build
	bash tests/bench/run.sh build/$(PRESET_RUN)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf build
