// ConsoleSessions with a clock the test moves: idle expiry, the age limit, the session cap,
// logout of every session of an account, and the cookie and CSRF helpers.
#include <catch2/catch.hpp>

#include "county/console/console_sessions.hpp"

using namespace minsheng::console;

TEST_CASE("sessions expire when idle and when old, and the oldest go first when full",
          "[console][sessions]") {
    std::int64_t now = 1'000'000;
    ConsoleSessions sessions([&now] { return now; }, SessionLimits{600, 3600, 2});
    auto a = sessions.open(1);
    REQUIRE(a.cookieValue.size() == 64);
    REQUIRE(a.session.csrfToken.size() == 64);
    CHECK(a.cookieValue != a.session.csrfToken);
    now += 599;
    REQUIRE(sessions.touch(a.cookieValue)); // used: idle time starts again
    now += 599;
    REQUIRE(sessions.touch(a.cookieValue));
    now += 600;
    CHECK_FALSE(sessions.touch(a.cookieValue)); // idle for the whole limit
    CHECK(sessions.size() == 0);

    auto b = sessions.open(2);
    for (int i = 0; i < 7; ++i) {
        now += 500;
        REQUIRE(sessions.touch(b.cookieValue));
    }
    now += 500; // 4000 s old, never idle
    CHECK_FALSE(sessions.touch(b.cookieValue));

    auto c = sessions.open(3);
    now += 1;
    auto d = sessions.open(4);
    now += 1;
    REQUIRE(sessions.touch(c.cookieValue)); // d is now the least recently used
    now += 1;
    auto e = sessions.open(5);
    CHECK(sessions.size() == 2);
    CHECK_FALSE(sessions.touch(d.cookieValue));
    CHECK(sessions.touch(c.cookieValue));
    CHECK(sessions.touch(e.cookieValue));
}

TEST_CASE("closing ends one session, closeAllOf every session of an account",
          "[console][sessions]") {
    std::int64_t now = 5;
    ConsoleSessions sessions([&now] { return now; });
    auto a = sessions.open(7), b = sessions.open(7), c = sessions.open(8);
    sessions.close(a.cookieValue);
    CHECK_FALSE(sessions.touch(a.cookieValue));
    CHECK(sessions.touch(b.cookieValue));
    sessions.closeAllOf(7);
    CHECK_FALSE(sessions.touch(b.cookieValue));
    CHECK(sessions.touch(c.cookieValue));
    CHECK_FALSE(sessions.touch("not a cookie"));
    CHECK_FALSE(sessions.touch(std::string(64, 'a')));
}

TEST_CASE("cookie parsing and CSRF comparison", "[console][sessions]") {
    CHECK(cookieValue("a=1; minsheng_session=abc; b=2", "minsheng_session") == "abc");
    CHECK(cookieValue("minsheng_session_x=1", "minsheng_session").empty());
    CHECK(cookieValue("", "minsheng_session").empty());
    ConsoleSession s;
    s.csrfToken = std::string(64, 'f');
    CHECK(csrfTokenMatches(s, std::string(64, 'f')));
    CHECK_FALSE(csrfTokenMatches(s, std::string(63, 'f')));
    CHECK_FALSE(csrfTokenMatches(s, std::string(64, 'e')));
    CHECK_FALSE(csrfTokenMatches(s, ""));
    CHECK_THAT(sessionCookie("x"), Catch::Contains("HttpOnly"));
    CHECK_THAT(expiredSessionCookie(), Catch::Contains("Max-Age=0"));
}
