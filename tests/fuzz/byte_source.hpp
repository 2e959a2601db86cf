// ByteSource: a Beast SyncReadStream over fixed bytes, so a parser can be fed what a socket
// would deliver without a socket. Each read gives at most `readSize` bytes; after the last byte
// a read fails with asio::error::eof, as a peer that closed its side.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace minsheng::test {

class ByteSource {
public:
    ByteSource(std::string_view bytes, std::size_t readSize)
        : m_rest(bytes), m_readSize(std::max<std::size_t>(readSize, 1)) {}

    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers, boost::system::error_code& ec) {
        ec = {};
        if (m_rest.empty()) {
            ec = boost::asio::error::eof;
            return 0;
        }
        const std::size_t n = boost::asio::buffer_copy(
            buffers, boost::asio::buffer(m_rest.data(), std::min(m_rest.size(), m_readSize)));
        m_rest.remove_prefix(n);
        return n;
    }

    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers) {
        boost::system::error_code ec;
        const std::size_t n = read_some(buffers, ec);
        if (ec)
            throw boost::system::system_error(ec);
        return n;
    }

private:
    std::string_view m_rest;
    std::size_t m_readSize;
};

} // namespace minsheng::test
