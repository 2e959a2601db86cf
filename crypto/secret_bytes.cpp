#include "crypto/secret_bytes.hpp"

#include <cstring>
#include <new>
#include <sodium.h>

namespace minsheng::crypto {

SecretBytes::SecretBytes(std::size_t size) : m_size(size) {
    if (size == 0)
        return;
    m_data = static_cast<std::uint8_t*>(sodium_malloc(size));
    if (!m_data)
        throw std::bad_alloc();
    sodium_memzero(m_data, size);
}

SecretBytes SecretBytes::copyOf(std::span<const std::uint8_t> bytes) {
    SecretBytes s(bytes.size());
    if (!bytes.empty())
        std::memcpy(s.m_data, bytes.data(), bytes.size());
    return s;
}

SecretBytes SecretBytes::copyOf(std::string_view text) {
    return copyOf({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : m_data(other.m_data), m_size(other.m_size) {
    other.m_data = nullptr;
    other.m_size = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
        clear();
        m_data = other.m_data;
        m_size = other.m_size;
        other.m_data = nullptr;
        other.m_size = 0;
    }
    return *this;
}

SecretBytes::~SecretBytes() {
    clear();
}

void SecretBytes::truncate(std::size_t newSize) {
    if (newSize >= m_size)
        return;
    sodium_memzero(m_data + newSize, m_size - newSize);
    m_size = newSize;
}

void SecretBytes::clear() noexcept {
    if (m_data) {
        // sodium_free() wipes the whole allocation before unmapping; the explicit memzero keeps
        // the invariant visible here and covers a truncated tail.
        sodium_memzero(m_data, m_size);
        sodium_free(m_data);
    }
    m_data = nullptr;
    m_size = 0;
}

bool SecretBytes::equals(std::span<const std::uint8_t> other) const {
    if (other.size() != m_size)
        return false;
    if (m_size == 0)
        return true;
    return sodium_memcmp(m_data, other.data(), m_size) == 0;
}

} // namespace minsheng::crypto
