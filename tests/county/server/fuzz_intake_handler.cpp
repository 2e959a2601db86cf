// Fuzz target: IntakeHandler::handle, the one place HTTP requests from outside are interpreted.
//
// Input: "METHOD TARGET\nCONTENT-TYPE\nBODY". When the input starts with '!', every envelope of
// a POST /v1/envelopes body that parses is re-signed with the enrolled test kiosk's key (and its
// kiosk id set to that kiosk) before the handler sees it, so mutations reach the chain checks
// and the store instead of stopping at the signature.
//
// Invariants checked on every input: the handler never throws, answers a status in 200..599,
// and every 4xx/5xx body is {"error": CODE, "message": TEXT} — except the 409 of a batch with a
// fork, which carries the per-envelope results (protocol.md section 8).
//
// libFuzzer (clang, -DMINSHENG_FUZZ=ON):  build-fuzz/tests/county/server/fuzz_intake_handler
// CORPUS_DIR Other builds: the same file with a main() that replays tests/county/server/fuzz_corpus
// (a ctest).
#include "county/server/intake_handler.hpp"
#include "sync/wire/envelope_json.hpp"
#include "sync/wire/strict_json.hpp"
#include "tests/county/server/server_test_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

using namespace minsheng;

namespace {

#define FUZZ_REQUIRE(cond)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__,           \
                         __LINE__);                                                                \
            std::abort();                                                                          \
        }                                                                                          \
    } while (0)

struct World {
    test::TempDir tmp{"minsheng-fuzz-handler"};
    test::TestCounty county{tmp.path(), {"k1"}};
    crypto::Ed25519SecretKey signingKey = county.signingSecret();
    test::TestKiosk kiosk{county, "k1"};
    std::unique_ptr<server::IntakeStore> store;
    server::RegistryCache registry{county::CountyDir(county.dir), [](const std::string&) {
                                   }};
    crypto::SecretBytes token = crypto::SecretBytes::copyOf(county.staffToken);
    std::unique_ptr<server::IntakeHandler> handler;

    World() {
        auto opened = server::IntakeStore::open(county.dir / "intake.db", signingKey);
        FUZZ_REQUIRE(opened.ok());
        store = std::move(opened.value());
        FUZZ_REQUIRE(registry.loadInitial());
        server::HandlerLimits generous;
        generous.statusPerMinutePerAddress = 1e9;
        generous.postsPerMinutePerAddress = 1e9;
        generous.postsPerMinutePerKiosk = 1e9;
        handler = std::make_unique<server::IntakeHandler>(
            *store, registry, county.signingPublic, token, [](const std::string&) {}, generous);
    }
};

World& world() {
    static World w;
    return w;
}

std::string resign(World& w, const std::string& body) {
    sync::JsonParseError err;
    auto doc = sync::parseStrictJson(body, err);
    if (!doc || !doc->is_object() || !doc->contains("envelopes") || !(*doc)["envelopes"].is_array())
        return body;
    for (auto& item : (*doc)["envelopes"]) {
        auto env = sync::envelopeFromJsonValue(item);
        if (!env)
            continue;
        env->header.kioskId = "k1";
        auto signed_ = crypto::signEnvelope(env->header, env->ciphertext, w.kiosk.key());
        item = sync::envelopeToJsonValue(signed_);
    }
    return doc->dump();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    crypto::initSodium();
    World& w = world();
    std::string input(reinterpret_cast<const char*>(data), size);
    const bool resignEnvelopes = !input.empty() && input.front() == '!';
    if (resignEnvelopes)
        input.erase(0, 1);
    server::HttpRequest req;
    const auto nl1 = input.find('\n');
    const std::string line = input.substr(0, nl1);
    const auto space = line.find(' ');
    req.method = line.substr(0, space);
    req.target = space == std::string::npos ? "/" : line.substr(space + 1);
    if (nl1 != std::string::npos) {
        const auto nl2 = input.find('\n', nl1 + 1);
        req.contentType = input.substr(nl1 + 1, nl2 - nl1 - 1);
        if (nl2 != std::string::npos)
            req.body = input.substr(nl2 + 1);
    }
    if (req.target.rfind("/v1/staff/", 0) == 0)
        req.authorization = "Bearer " + w.county.staffToken;
    req.clientAddress = "192.0.2.7";
    if (resignEnvelopes)
        req.body = resign(w, req.body);
    server::HttpResponse r = w.handler->handle(req);
    FUZZ_REQUIRE(r.status >= 200 && r.status < 600);
    if (r.status == 409 && r.route == "envelopes") {
        // A fork in the batch: per-envelope results (docs/protocol.md section 8), one a fork.
        auto j = nlohmann::json::parse(r.body, nullptr, false);
        FUZZ_REQUIRE(j.is_object() && j["results"].is_array());
        bool fork = false;
        for (const auto& item : j["results"])
            fork = fork || (item.contains("error") && item["error"] == "fork");
        FUZZ_REQUIRE(fork);
    } else if (r.status >= 400) {
        auto j = nlohmann::json::parse(r.body, nullptr, false);
        FUZZ_REQUIRE(j.is_object() && j.size() == 2 && j["error"].is_string() &&
                     j["message"].is_string());
    }
    return 0;
}

#ifdef MINSHENG_FUZZ_REPLAY_MAIN
int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    std::size_t count = 0;
    for (int i = 1; i < argc; ++i) {
        std::vector<fs::path> files;
        if (fs::is_directory(argv[i]))
            for (const auto& e : fs::directory_iterator(argv[i]))
                files.push_back(e.path());
        else
            files.emplace_back(argv[i]);
        for (const auto& f : files) {
            std::ifstream in(f, std::ios::binary);
            std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
            LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                   bytes.size());
            ++count;
        }
    }
    std::printf("replayed %zu inputs\n", count);
    return count > 0 ? 0 : 1;
}
#endif
