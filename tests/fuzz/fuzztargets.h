#pragma once

#include <cstddef>
#include <cstdint>

// One function per reader of untrusted files. Each takes any bytes, must return without
// crashing, hanging or reading out of bounds, and checks what its reader promises. libFuzzer
// drives them (tests/fuzz/fuzzmain.cpp); fuzzcorpus_test replays the kept inputs in every build.
namespace winnow::fuzz {

int answerCsv(const uint8_t *data, size_t size);
int manifest(const uint8_t *data, size_t size);
int idx(const uint8_t *data, size_t size);
int image(const uint8_t *data, size_t size);

// The targets by name, as their corpus folders under tests/data/fuzz are named.
struct Target {
    const char *name;
    int (*run)(const uint8_t *, size_t);
};
inline constexpr Target kTargets[] = {
    {"answer-csv", answerCsv}, {"manifest", manifest}, {"idx", idx}, {"image", image}};

} // namespace winnow::fuzz
