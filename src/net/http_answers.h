// The small answers every onair server gives the same way: short text answers (errors,
// health, metrics), sending one with a deadline, and what to answer when a request header
// could not be read.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace onair::net {

namespace http = boost::beast::http;
using TextResponse = http::response<http::string_body>;

// A text/plain answer ending in a newline, with its Cache-Control and Server header.
TextResponse TextAnswer(int status, unsigned version, std::string body, const std::string& server,
                        const std::string& cache_control = "no-store");

// Waits up to `idle` for the first byte of the next request on a kept-alive connection (it
// lands in `buffer`); false when the client closed or stayed silent. Stream: a
// beast::tcp_stream or a TLS stream over one.
template <class Stream>
boost::asio::awaitable<bool> AwaitRequest(Stream& stream, boost::beast::flat_buffer& buffer,
                                          std::chrono::milliseconds idle) {
  if (buffer.size() > 0) co_return true;  // pipelined: already there
  boost::beast::get_lowest_layer(stream).expires_after(idle);
  auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096),
                                                 boost::asio::as_tuple(boost::asio::use_awaitable));
  if (ec) co_return false;
  buffer.commit(n);
  co_return true;
}

// Sends a whole answer (only its header for HEAD) within `timeout`; false if the client left.
template <class Stream>
boost::asio::awaitable<bool> SendAnswer(Stream& stream, TextResponse res,
                                        std::chrono::milliseconds timeout, bool head = false) {
  constexpr auto kTuple = boost::asio::as_tuple(boost::asio::use_awaitable);
  res.prepare_payload();
  boost::beast::get_lowest_layer(stream).expires_after(timeout);
  if (head) {
    http::response_serializer<http::string_body> sr(res);
    auto [ec, n] = co_await http::async_write_header(stream, sr, kTuple);
    co_return !ec;
  }
  auto [ec, n] = co_await http::async_write(stream, res, kTuple);
  co_return !ec;
}

// The answer to a request whose header could not be read: 431 (too large), 413 (a declared
// body over the limit), 400 with the parser's reason; none for a client that left or was too
// slow (the connection just closes).
std::optional<TextResponse> HeaderReadError(const boost::beast::error_code& ec,
                                            const std::string& server);

}  // namespace onair::net
