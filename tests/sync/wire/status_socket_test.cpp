// The status socket's lines between the kiosk UI and the forwarder: round trips, the exact
// request lines the UI sends, and every refusal.
#include <catch2/catch.hpp>

#include "sync/wire/status_socket.hpp"

using namespace minsheng;
using namespace minsheng::sync;

TEST_CASE("status socket requests round-trip and are refused when malformed",
          "[wire][status-socket]") {
    const std::string tag(64, 'a');
    CHECK(statusSocketRequestToLine({StatusSocketOp::Status, tag}) ==
          R"({"op":"status","tag":")" + tag + "\"}");
    CHECK(statusSocketRequestToLine({StatusSocketOp::SyncNow, {}}) == R"({"op":"sync-now"})");
    CHECK(statusSocketRequestToLine({StatusSocketOp::Health, {}}) == R"({"op":"health"})");
    for (auto op : {StatusSocketOp::Status, StatusSocketOp::Health, StatusSocketOp::SyncNow}) {
        auto back = statusSocketRequestFromLine(statusSocketRequestToLine({op, tag}));
        REQUIRE(back.ok());
        CHECK(back->op == op);
        CHECK(back->tagHex == (op == StatusSocketOp::Status ? tag : ""));
    }
    for (std::string bad :
         {std::string(), std::string("{"), std::string("[]"), std::string(R"({"op":1})"),
          std::string(R"({"op":"status"})"), std::string(R"({"op":"status","tag":"ABC"})"),
          R"({"op":"status","tag":")" + std::string(64, 'A') + "\"}",
          R"({"op":"status","tag":")" + tag + R"(","x":1})", std::string(R"({"op":"drop-tables"})"),
          std::string(R"({"op":"health","op":"health"})"), std::string(R"({"op":"health","x":1})"),
          R"({"op":"health","pad":")" + std::string(kMaxStatusRequestLine, ' ') + "\"}"}) {
        INFO(bad.substr(0, 80));
        auto r = statusSocketRequestFromLine(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == StatusSocketErrorCode::Unavailable);
    }
}

TEST_CASE("a case status answer round-trips, refusals and errors are typed",
          "[wire][status-socket]") {
    CaseStatusAnswer a{crypto::CaseStatus::InProgress, 10, 20, "在办"};
    const std::string line = caseStatusAnswerToLine(a);
    CHECK(
        line ==
        R"({"ok":true,"received_at":10,"reply":"在办","status":"in_progress","updated_at":20,"verified":true})");
    auto back = caseStatusAnswerFromLine(line);
    REQUIRE(back.ok());
    CHECK(back->status == a.status);
    CHECK(back->receivedAt == 10);
    CHECK(back->updatedAt == 20);
    CHECK(back->reply == a.reply);

    using C = StatusSocketErrorCode;
    auto code = [](std::string_view l) {
        auto r = caseStatusAnswerFromLine(l);
        REQUIRE_FALSE(r.ok());
        return r.error().code;
    };
    CHECK(code(R"({"ok":false,"error":"not-found","message":"x"})") == C::NotFound);
    CHECK(code(R"({"ok":false,"error":"offline"})") == C::Offline);
    CHECK(code(R"({"ok":false,"error":"unavailable","message":"x"})") == C::Unavailable);
    CHECK(code(R"({"ok":false,"error":"gone"})") == C::Malformed);
    CHECK(code(R"({"ok":false})") == C::Malformed);
    CHECK(code(R"({"ok":false,"error":"offline","extra":1})") == C::Malformed);
    CHECK(code("garbage") == C::Malformed);
    CHECK(code(R"({"ok":"true"})") == C::Malformed);
    const std::string good = R"("received_at":1,"updated_at":2,"reply":"")";
    CHECK(code(R"({"ok":true,"status":"closed",)" + good + R"(,"verified":false})") ==
          C::Malformed);
    CHECK(code(R"({"ok":true,"status":"closed",)" + good + "}") == C::Malformed);
    CHECK(code(R"({"ok":true,"status":"weird",)" + good + R"(,"verified":true})") == C::Malformed);
    CHECK(
        code(
            R"({"ok":true,"status":"closed","received_at":-1,"updated_at":2,"reply":"","verified":true})") ==
        C::Malformed);
    CHECK(code(R"({"ok":true,"status":"closed","received_at":1,"updated_at":2,"verified":true})") ==
          C::Malformed);
    CHECK(code(R"({"ok":true,"status":"closed","received_at":1,"updated_at":2,"reply":")" +
               std::string(crypto::kMaxReplyBytes + 1, 'r') + R"(","verified":true})") ==
          C::Malformed);
    CHECK(code(std::string(kMaxStatusAnswerLine + 1, ' ')) == C::Malformed);

    CHECK(statusSocketErrorToLine({C::NotFound, "m"}) ==
          R"({"error":"not-found","message":"m","ok":false})");
    CHECK(statusSocketErrorCodeName(C::Malformed) == "unavailable");
}

TEST_CASE("health and sync-now answers round-trip", "[wire][status-socket]") {
    HealthAnswer h{7, 1700000000, std::nullopt, "county unreachable", false};
    auto back = healthAnswerFromLine(healthAnswerToLine(h));
    REQUIRE(back.ok());
    CHECK(back->queue == 7);
    CHECK(back->lastSync == 1700000000);
    CHECK_FALSE(back->lastAck);
    CHECK(back->lastError == "county unreachable");
    CHECK_FALSE(back->online);
    HealthAnswer well{0, 1, 2, std::nullopt, true};
    auto wellBack = healthAnswerFromLine(healthAnswerToLine(well));
    REQUIRE(wellBack.ok());
    CHECK(wellBack->online);
    CHECK_FALSE(wellBack->lastError);
    CHECK(wellBack->lastAck == 2);
    for (
        const char* bad :
        {R"({"ok":true})",
         R"({"ok":true,"queue":-1,"last_sync":null,"last_ack":null,"last_error":null,"online":true})",
         R"({"ok":true,"queue":0,"last_sync":"x","last_ack":null,"last_error":null,"online":true})",
         R"({"ok":true,"queue":0,"last_sync":null,"last_ack":null,"last_error":1,"online":true})",
         R"({"ok":true,"queue":0,"last_sync":null,"last_ack":null,"last_error":null,"online":1})"}) {
        INFO(bad);
        CHECK_FALSE(healthAnswerFromLine(bad).ok());
    }

    CHECK(syncNowAnswerToLine() == R"({"ok":true})");
    CHECK(syncNowAnswerFromLine(syncNowAnswerToLine()).ok());
    CHECK(syncNowAnswerFromLine(R"({"ok":false,"error":"offline"})").error().code ==
          StatusSocketErrorCode::Offline);
    CHECK(syncNowAnswerFromLine(R"({"ok":true,"x":1})").error().code ==
          StatusSocketErrorCode::Malformed);
}
