// SecretBytes: a byte buffer in guarded, locked memory that is wiped when released.
//
// Invariants:
//   1. The bytes live in memory from sodium_malloc(): guard pages before and after, a canary,
//      and mlock() so they are not written to swap (where the kernel allows locking).
//   2. The destructor and clear() overwrite the bytes with sodium_memzero() before freeing,
//      so neither a later allocation nor a core dump sees them.
//   3. The type is move-only; a copy must be explicit (copy()), so secrets are not duplicated
//      by accident.
// Used for plaintext answers, canonical payloads and every secret key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace minsheng::crypto {

class SecretBytes {
public:
    SecretBytes() = default;
    /// Allocates `size` zeroed bytes. Throws std::bad_alloc if guarded memory is exhausted.
    explicit SecretBytes(std::size_t size);
    /// Copies `bytes` into fresh guarded memory.
    static SecretBytes copyOf(std::span<const std::uint8_t> bytes);
    static SecretBytes copyOf(std::string_view text);

    SecretBytes(SecretBytes&& other) noexcept;
    SecretBytes& operator=(SecretBytes&& other) noexcept;
    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;
    ~SecretBytes();

    SecretBytes copy() const { return copyOf(span()); }

    std::uint8_t* data() { return m_data; }
    const std::uint8_t* data() const { return m_data; }
    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    std::span<std::uint8_t> span() { return {m_data, m_size}; }
    std::span<const std::uint8_t> span() const { return {m_data, m_size}; }
    std::string_view view() const { return {reinterpret_cast<const char*>(m_data), m_size}; }

    /// Shrinks the visible size without reallocating (the tail is wiped).
    void truncate(std::size_t newSize);
    /// Wipes and frees; the buffer becomes empty.
    void clear() noexcept;

    /// Constant-time comparison (sodium_memcmp); false when sizes differ.
    bool equals(std::span<const std::uint8_t> other) const;

private:
    std::uint8_t* m_data = nullptr;
    std::size_t m_size = 0;
};

} // namespace minsheng::crypto
