// Answers: set/get/erase/clear, and that every allocation comes from the given resource.
#include "crypto/secret_arena.hpp"
#include "sync/forms/answers.hpp"

#include <catch2/catch.hpp>

#include <memory_resource>

using namespace minsheng::forms;

namespace {

/// Counts what passes through to the upstream resource.
class CountingResource final : public std::pmr::memory_resource {
public:
    std::size_t allocated = 0;
    std::size_t live = 0;

private:
    void* do_allocate(std::size_t bytes, std::size_t align) override {
        allocated += bytes;
        live += bytes;
        return std::pmr::new_delete_resource()->allocate(bytes, align);
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t align) override {
        live -= bytes;
        std::pmr::new_delete_resource()->deallocate(p, bytes, align);
    }
    bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override {
        return this == &o;
    }
};

/// Makes any allocation from the default resource throw while in scope, so a pmr container
/// that silently fell back to the heap would fail the test.
struct NoDefaultResource {
    std::pmr::memory_resource* previous =
        std::pmr::set_default_resource(std::pmr::null_memory_resource());
    ~NoDefaultResource() { std::pmr::set_default_resource(previous); }
};

const std::string kLong(200, 'x'); // beyond the small-string buffer

} // namespace

TEST_CASE("answers store, replace and erase values", "[answers]") {
    minsheng::crypto::SecretArena arena(1 << 16);
    Answers a(&arena);
    CHECK(a.empty());
    a.setChoice("category", "homework");
    a.setChoices("tags", {"x", "y"});
    a.setText("description", kLong);
    a.setInteger("mood", 3);
    CHECK(a.size() == 4);
    CHECK(a.get("category")->kind() == AnswerKind::Choice);
    CHECK(a.get("category")->text() == "homework");
    REQUIRE(a.get("tags")->choices().size() == 2);
    CHECK(a.get("tags")->choices()[1] == "y");
    CHECK(a.get("description")->text() == kLong);
    CHECK(a.get("mood")->integer() == 3);
    CHECK(a.get("missing") == nullptr);

    a.setText("category", "now text"); // replacing changes the kind too
    CHECK(a.get("category")->kind() == AnswerKind::Text);
    CHECK(a.size() == 4);

    CHECK(a.erase("mood"));
    CHECK_FALSE(a.erase("mood"));
    CHECK_FALSE(a.contains("mood"));

    std::vector<std::string> order;
    for (const auto& [id, answer] : a)
        order.emplace_back(id);
    CHECK(order == std::vector<std::string>{"category", "description", "tags"});

    a.clear();
    CHECK(a.empty());
}

TEST_CASE("answers allocate only from their resource", "[answers]") {
    CountingResource counting;
    {
        NoDefaultResource guard;
        Answers a(&counting);
        a.setText("description", kLong);
        a.setChoices("tags", {kLong, kLong, kLong});
        a.setChoice("category", kLong);
        CHECK(counting.allocated >= 5 * kLong.size());
        a.setText("description", kLong + kLong); // replacing
        Answers moved = std::move(a);            // moving keeps the resource
        CHECK(moved.get("description")->text().size() == 2 * kLong.size());
        CHECK(moved.resource() == &counting);
        moved.erase("tags");
        moved.clear();
    }
    CHECK(counting.live == 0);
}

TEST_CASE("answers live in a SecretArena", "[answers]") {
    minsheng::crypto::SecretArena arena(1 << 16);
    NoDefaultResource guard;
    Answers a(&arena);
    a.setText("description", kLong);
    CHECK(a.get("description")->text() == kLong);
    // Exhausting the arena throws rather than falling back to the heap.
    CHECK_THROWS_AS(a.setText("huge", std::string(1 << 17, 'y')), std::bad_alloc);
}
