// Result<T, E>: a value or a typed error, returned across module boundaries.
//
// The house rule (docs/architecture.md): exceptions are for start-up and programmer errors;
// everything that outside input can cause is a Result the caller must look at. This is a small
// stand-in for C++23 std::expected, which g++ 12 in C++20 mode does not offer.
#pragma once

#include <cassert>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace minsheng {

/// Wraps an error value so that Result's constructors can tell it from a success value.
template <class E>
struct Failure {
    E error;
};

template <class E>
Failure<std::decay_t<E>> fail(E&& error) {
    return {std::forward<E>(error)};
}

template <class T, class E>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    template <class E2>
    Result(Failure<E2> f) : m_v(std::in_place_index<1>, E(std::move(f.error))) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(m_v);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(m_v);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(m_v));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const E& error() const {
        assert(!ok());
        return std::get<1>(m_v);
    }
    E& error() {
        assert(!ok());
        return std::get<1>(m_v);
    }

private:
    std::variant<T, E> m_v;
};

/// For operations that return nothing on success.
struct Ok {};

} // namespace minsheng
