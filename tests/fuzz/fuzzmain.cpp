// libFuzzer entry point for one target, chosen at build time (WINNOW_FUZZ_TARGET).
#include "tests/fuzz/fuzztargets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return winnow::fuzz::WINNOW_FUZZ_TARGET(data, size);
}
