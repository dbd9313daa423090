// A client HTTP/1.1 connection (Boost.Beast) for services that talk to each other: whole
// requests, and streamed chunked requests whose trailer carries what is known only at the
// end. Every operation has a deadline; a connection is reused (keep-alive) until it fails.
// Blocking by design: each caller owns its connection on its own thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "net/url.h"

namespace onair::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

// A header's value (case-insensitive name), "" if absent.
std::string HeaderValue(const Headers& headers, std::string_view name);

struct Response {
  int status = 0;
  Headers headers;
  std::string body;
};

class HttpConnection {
 public:
  explicit HttpConnection(Url server);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // A whole request with a Content-Length body.
  StatusOr<Response> Send(const std::string& method, const std::string& target,
                          const Headers& headers, const std::string& body,
                          std::chrono::milliseconds timeout);

  // A chunked request: the header now, chunks as they come, the trailer at the end.
  Status BeginChunked(const std::string& method, const std::string& target, const Headers& headers,
                      const std::vector<std::string>& trailer_names,
                      std::chrono::milliseconds timeout);
  Status WriteChunk(const std::string& bytes, std::chrono::milliseconds timeout);
  StatusOr<Response> FinishChunked(const Headers& trailers, std::chrono::milliseconds timeout);

  // A GET whose body is handed over piece by piece as it arrives (a segment streamed while it
  // is being made). `on_head` sees the status and headers first; either callback returning
  // false stops the transfer (the connection is then closed). `idle` bounds every wait for
  // bytes, so a server that stalls fails the call (kDeadlineExceeded) instead of hanging it.
  // Ok once the whole body has arrived, or when a callback stopped it.
  struct StreamHandler {
    std::function<bool(int status, const Headers& headers)> on_head;
    std::function<bool(std::string_view bytes)> on_body;
  };
  Status StreamGet(const std::string& target, const Headers& headers, const StreamHandler& handler,
                   std::chrono::milliseconds idle);

  // Responses with a larger body fail (the default suits answers to writes and small JSON).
  void set_max_response_bytes(uint64_t bytes);

  bool connected() const;
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onair::net
