// The one HTTP/1.1 client of onair (Boost.Beast), for services that talk to each other and for
// the player: whole requests; GETs whose body is handed over piece by piece as it arrives (a
// segment streamed while it is being made); chunked uploads whose trailer carries what is
// known only at the end. Plain HTTP or HTTPS (verified against the system's CAs, or a CA file
// given). Every operation has a deadline; a connection is reused (keep-alive) until it fails.
//
// HttpClient is asynchronous (C++20 coroutines on the caller's executor: the edge's fills,
// the playback service's poller and catalog, the edges' announcements). HttpConnection is the
// same client for a thread that blocks (the player, the pipeline's publisher): each call runs
// HttpClient's coroutine to its end on a loop of its own.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "net/headers.h"
#include "net/url.h"

namespace onair::net {

struct Response {
  int status = 0;
  Headers headers;
  std::string body;
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{2'000};  // and the request's header sent
  uint64_t max_response_bytes = 1 << 20;  // whole responses; a larger body fails the call
  std::string user_agent = "onair";
  // HTTPS: a CA file to trust besides the system's ("": the system's only).
  std::string ca_file;
};

// What a streamed GET does with the answer: `on_head` sees the status and headers first;
// either callback returning false stops the transfer (the connection is then closed).
struct StreamHandler {
  std::function<bool(int status, const Headers& headers)> on_head;
  std::function<bool(std::string_view bytes)> on_body;
};

class HttpClient {
 public:
  HttpClient(boost::asio::any_io_executor ex, Url server, ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // A whole request with a Content-Length body (none for an empty one).
  boost::asio::awaitable<StatusOr<Response>> Send(std::string method, std::string target,
                                                  Headers headers, std::string body,
                                                  std::chrono::milliseconds timeout);

  // A GET streamed to `handler`. `header_timeout` bounds the wait for the answer's header (an
  // origin holds the next segment until it is made), `idle` every wait for body bytes, so a
  // server that stalls fails the call (kDeadlineExceeded) instead of hanging it. Ok once the
  // whole body has arrived, or when a callback stopped it. `head_seen`, when given, says
  // whether the answer's header came (what failed: the connection, or the body).
  boost::asio::awaitable<Status> StreamGet(std::string target, Headers headers,
                                           StreamHandler handler,
                                           std::chrono::milliseconds header_timeout,
                                           std::chrono::milliseconds idle,
                                           bool* head_seen = nullptr);

  // A chunked request: the header now, chunks as they come, the trailer at the end.
  boost::asio::awaitable<Status> BeginChunked(std::string method, std::string target,
                                              Headers headers,
                                              std::vector<std::string> trailer_names,
                                              std::chrono::milliseconds timeout);
  boost::asio::awaitable<Status> WriteChunk(std::string bytes, std::chrono::milliseconds timeout);
  boost::asio::awaitable<StatusOr<Response>> FinishChunked(Headers trailers,
                                                           std::chrono::milliseconds timeout);

  void set_max_response_bytes(uint64_t bytes);
  bool connected() const;
  void Close();
  const Url& server() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class HttpConnection {
 public:
  explicit HttpConnection(Url server, ClientOptions options = {});
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  StatusOr<Response> Send(const std::string& method, const std::string& target,
                          const Headers& headers, const std::string& body,
                          std::chrono::milliseconds timeout);
  Status BeginChunked(const std::string& method, const std::string& target, const Headers& headers,
                      const std::vector<std::string>& trailer_names,
                      std::chrono::milliseconds timeout);
  Status WriteChunk(const std::string& bytes, std::chrono::milliseconds timeout);
  StatusOr<Response> FinishChunked(const Headers& trailers, std::chrono::milliseconds timeout);
  // A streamed GET; `idle` bounds the header's wait and every wait for body bytes.
  using StreamHandler = net::StreamHandler;
  Status StreamGet(const std::string& target, const Headers& headers, const StreamHandler& handler,
                   std::chrono::milliseconds idle);

  void set_max_response_bytes(uint64_t bytes);
  bool connected() const;
  void Close();

 private:
  // Runs `op` to its end on this connection's own loop.
  template <class T>
  T Run(boost::asio::awaitable<T> op);

  boost::asio::io_context ioc_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace onair::net
