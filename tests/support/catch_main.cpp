#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "crypto/sodium.hpp"

int main(int argc, char** argv) {
    minsheng::crypto::initSodium();
    return Catch::Session().run(argc, argv);
}
