// SecretArena: a std::pmr memory resource whose every byte lives in one SecretBytes block.
//
// A parent's session (what they typed, choices they made) is stored in pmr containers that
// allocate from a SecretArena, so plaintext never reaches the ordinary heap. reset() wipes the
// whole block at once: this is how "nothing typed survives a submit, a cancel or an idle
// timeout" is made true for memory.
//
// Invariants:
//   1. All allocations come from the guarded block; when it is exhausted allocate() throws
//      std::bad_alloc instead of falling back to the heap (upstream is null_memory_resource).
//   2. Freed chunks are recycled by a pool but are not wiped until reset() or destruction;
//      both wipe every byte of the block.
//   3. Containers that allocated from the arena must be destroyed before reset() (reset()
//      rebuilds the pool; dangling containers would point into wiped memory).
#pragma once

#include "crypto/secret_bytes.hpp"

#include <memory>
#include <memory_resource>

namespace minsheng::crypto {

class SecretArena final : public std::pmr::memory_resource {
public:
    static constexpr std::size_t kDefaultCapacity = 4u << 20; // 4 MiB, far above any form

    explicit SecretArena(std::size_t capacity = kDefaultCapacity);
    ~SecretArena() override;
    SecretArena(const SecretArena&) = delete;
    SecretArena& operator=(const SecretArena&) = delete;

    /// Wipes every byte and starts over. See invariant 3.
    void reset();
    std::size_t capacity() const { return m_block.size(); }

private:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override;
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override;
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override;
    void rebuild();

    SecretBytes m_block;
    std::unique_ptr<std::pmr::monotonic_buffer_resource> m_monotonic;
    std::unique_ptr<std::pmr::unsynchronized_pool_resource> m_pool;
};

} // namespace minsheng::crypto
