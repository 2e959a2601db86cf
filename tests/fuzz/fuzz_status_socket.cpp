// The status socket's lines: requests as the forwarder reads them, answers as the UI reads them.
#include "crypto/sodium.hpp"
#include "sync/wire/status_socket.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace minsheng::sync;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    minsheng::crypto::initSodium();
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    if (auto req = statusSocketRequestFromLine(line)) {
        auto again = statusSocketRequestFromLine(statusSocketRequestToLine(*req));
        FUZZ_CHECK(again.ok() && again->op == req->op && again->tagHex == req->tagHex);
    }
    if (auto a = caseStatusAnswerFromLine(line)) {
        auto again = caseStatusAnswerFromLine(caseStatusAnswerToLine(*a));
        FUZZ_CHECK(again.ok() && again->status == a->status && again->reply == a->reply);
    } else if (a.error().code != StatusSocketErrorCode::Malformed) {
        auto again = caseStatusAnswerFromLine(statusSocketErrorToLine(a.error()));
        FUZZ_CHECK(!again.ok() && again.error().code == a.error().code);
    }
    if (auto h = healthAnswerFromLine(line)) {
        auto again = healthAnswerFromLine(healthAnswerToLine(*h));
        FUZZ_CHECK(again.ok() && again->queue == h->queue && again->lastError == h->lastError);
    }
    if (syncNowAnswerFromLine(line).ok())
        FUZZ_CHECK(syncNowAnswerFromLine(syncNowAnswerToLine()).ok());
    return 0;
}
