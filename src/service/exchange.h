// One request on one connection, as a route's handler sees it (docs/service.md): what was
// asked (method, path, query, headers, the {name} values of the route's pattern, the body of
// a buffered route), when, at which priority, and the connection to answer on. Handlers of
// streamed routes read the body and write the answer themselves through it; every answer
// goes out with the service's common headers (Server, CORS) through Decorate or Send.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "net/any_stream.h"
#include "service/admission.h"
#include "service/reply.h"

namespace onair::service {

struct Route;
struct ServiceCore;

// A request's header, then its body read piece by piece into buffers the reader gives.
using RequestParser = http::request_parser<http::buffer_body>;
using RequestHeader = http::request<http::buffer_body>;

class Exchange {
 public:
  Exchange(ServiceCore& core, net::AnyStream& stream, boost::beast::flat_buffer& buffer,
           RequestParser& parser, MonoTime start, UtcMicros arrived);

  // ----- the request -----
  const RequestHeader& request() const { return parser_.get(); }
  http::verb method() const { return request().method(); }
  bool head() const { return method() == http::verb::head; }
  unsigned version() const { return request().version(); }
  std::string_view target() const { return target_; }
  std::string_view path() const { return path_; }
  std::string_view query() const { return query_; }
  std::string_view header(http::field f) const { return request()[f]; }
  std::string_view header(std::string_view name) const { return request()[name]; }
  // The {name} values of the route's pattern, in order (a final "*" last).
  const std::vector<std::string_view>& params() const { return params_; }
  std::string_view param(size_t k) const { return k < params_.size() ? params_[k] : ""; }
  // The body of a buffered route.
  const std::string& body() const { return body_; }
  MonoTime start() const { return start_; }
  UtcMicros arrived() const { return arrived_; }
  Priority priority() const { return priority_; }
  const Route* route() const { return route_; }

  // ----- the connection (streamed routes) -----
  net::AnyStream& stream() { return stream_; }
  boost::beast::flat_buffer& buffer() { return buffer_; }
  RequestParser& parser() { return parser_; }

  // ----- answering -----
  // The service's common headers on any response (Server, CORS when on).
  template <class Fields>
  void Decorate(Fields& fields) const;
  // Sends a whole answer (only its header for HEAD) with the common headers, within the send
  // timeout; false if the client left.
  boost::asio::awaitable<bool> Send(Response res);
  // Sends a reply as a route returned it.
  boost::asio::awaitable<bool> Send(Reply reply);
  // A streamed route's answer status, for the route's metrics (Send sets it itself).
  void Answered(int status) { status_ = status; }
  // For the request log: the body bytes a streamed route sent (Send counts its own), and how
  // a cache answered with microseconds from arrival to the first body byte (an edge).
  void Sent(uint64_t bytes) { bytes_ = bytes; }
  void Note(std::string cache, int64_t first_byte_us) {
    cache_ = std::move(cache);
    first_byte_us_ = first_byte_us;
  }
  std::chrono::milliseconds send_timeout() const;
  std::chrono::milliseconds body_timeout() const;

 private:
  friend class Service;
  ServiceCore& core_;
  net::AnyStream& stream_;
  boost::beast::flat_buffer& buffer_;
  RequestParser& parser_;
  std::string_view target_, path_, query_;
  std::vector<std::string_view> params_;
  std::string body_;
  MonoTime start_;
  UtcMicros arrived_;
  Priority priority_ = Priority::kOther;
  const Route* route_ = nullptr;
  int status_ = 0;      // what was answered, for the route's metrics
  uint64_t bytes_ = 0;  // for the request log
  std::string cache_;
  int64_t first_byte_us_ = -1;
};

// The parts of a service an exchange needs (defined by service.cc).
struct ServiceCore {
  std::string server_header;  // "onair-origin"
  bool cors = false;
  std::string cors_expose = "Retry-After";
  std::chrono::milliseconds send_timeout{10'000};
  std::chrono::milliseconds body_timeout{5'000};
};

template <class Fields>
void Exchange::Decorate(Fields& fields) const {
  fields.set(http::field::server, core_.server_header);
  if (core_.cors) {
    fields.set(http::field::access_control_allow_origin, "*");
    fields.set(http::field::access_control_expose_headers, core_.cors_expose);
  }
}

}  // namespace onair::service
