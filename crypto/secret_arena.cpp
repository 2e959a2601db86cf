#include "crypto/secret_arena.hpp"

#include <sodium.h>

namespace minsheng::crypto {

SecretArena::SecretArena(std::size_t capacity) : m_block(capacity) {
    rebuild();
}

SecretArena::~SecretArena() {
    // Destroy the pool first: it hands its chunks back to the monotonic resource, which owns no
    // memory of its own; then m_block's destructor wipes every byte.
    m_pool.reset();
    m_monotonic.reset();
}

void SecretArena::rebuild() {
    m_pool.reset();
    m_monotonic.reset();
    m_monotonic = std::make_unique<std::pmr::monotonic_buffer_resource>(
        m_block.data(), m_block.size(), std::pmr::null_memory_resource());
    m_pool = std::make_unique<std::pmr::unsynchronized_pool_resource>(m_monotonic.get());
}

void SecretArena::reset() {
    m_pool.reset();
    m_monotonic.reset();
    sodium_memzero(m_block.data(), m_block.size());
    rebuild();
}

void* SecretArena::do_allocate(std::size_t bytes, std::size_t alignment) {
    return m_pool->allocate(bytes, alignment);
}

void SecretArena::do_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
    m_pool->deallocate(p, bytes, alignment);
}

bool SecretArena::do_is_equal(const std::pmr::memory_resource& other) const noexcept {
    return this == &other;
}

} // namespace minsheng::crypto
