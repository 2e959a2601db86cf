// FUZZ_CHECK: an invariant of a fuzz target. Aborts (which libFuzzer records as a crash) when
// the parser accepted something it then cannot reproduce, i.e. when parsing is not canonical.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);    \
            std::abort();                                                                          \
        }                                                                                          \
    } while (0)
