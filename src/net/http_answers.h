// The small answers every onair server gives the same way: short text answers (errors,
// health, metrics), sending one with a deadline, and what to answer when a request header
// could not be read.
#pragma once

#include <boost/asio/awaitable.hpp>
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
// lands in `buffer`); false when the client closed or stayed silent.
boost::asio::awaitable<bool> AwaitRequest(boost::beast::tcp_stream& stream,
                                          boost::beast::flat_buffer& buffer,
                                          std::chrono::milliseconds idle);

// Sends a whole answer (only its header for HEAD) within `timeout`; false if the client left.
boost::asio::awaitable<bool> SendAnswer(boost::beast::tcp_stream& stream, TextResponse res,
                                        std::chrono::milliseconds timeout, bool head = false);

// The answer to a request whose header could not be read: 431 (too large), 413 (a declared
// body over the limit), 400 with the parser's reason; none for a client that left or was too
// slow (the connection just closes).
std::optional<TextResponse> HeaderReadError(const boost::beast::error_code& ec,
                                            const std::string& server);

}  // namespace onair::net
