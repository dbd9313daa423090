#include "net/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace onair::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpConnection::Impl {
  explicit Impl(Url u) : server(std::move(u)) {}

  Url server;
  asio::io_context ioc;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  uint64_t max_response_bytes = 1 << 20;
  std::unique_ptr<http::request<http::empty_body>> chunked_req;
  std::unique_ptr<http::request_serializer<http::empty_body>> chunked_sr;

  // Runs one asynchronous operation to its end on this thread; the stream's deadline
  // bounds it. Any failure closes the connection (it is in an unknown state).
  template <typename Start>
  Status RunOp(Start start, std::chrono::milliseconds timeout, const std::string& what) {
    Status s = RunOpKeepOpen(start, timeout, what);
    if (!s.ok()) Close();
    return s;
  }

  // As RunOp, but leaves the connection to the caller; `benign` is an error that is not one.
  template <typename Start>
  Status RunOpKeepOpen(Start start, std::chrono::milliseconds timeout, const std::string& what,
                       beast::error_code benign = {}) {
    stream->expires_after(timeout);
    beast::error_code result = asio::error::would_block;
    start([&result, benign](beast::error_code ec, auto&&...) {
      result = ec == benign ? beast::error_code{} : ec;
    });
    ioc.restart();
    ioc.run();
    if (result == beast::error::timeout) {
      return DeadlineExceeded(what + " " + server.host + ":" + server.port + ": no answer in " +
                              std::to_string(timeout.count()) + " ms");
    }
    if (result) {
      return Unavailable(what + " " + server.host + ":" + server.port + ": " + result.message());
    }
    return Status::Ok();
  }

  Status EnsureConnected(std::chrono::milliseconds timeout) {
    if (stream && stream->socket().is_open()) return Status::Ok();
    stream = std::make_unique<beast::tcp_stream>(ioc);
    buffer.clear();
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto endpoints = resolver.resolve(server.host, server.port, ec);
    if (ec) return Unavailable("cannot resolve " + server.host + ": " + ec.message());
    return RunOp([&](auto handler) { stream->async_connect(endpoints, handler); }, timeout,
                 "connect to");
  }

  // `head`: the answer to a HEAD has a Content-Length but no body.
  StatusOr<Response> ReadResponse(std::chrono::milliseconds timeout, bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_response_bytes);
    parser.skip(head);
    Status s = RunOp([&](auto handler) { http::async_read(*stream, buffer, parser, handler); },
                     timeout, "read response from");
    if (!s.ok()) return s;
    auto res = parser.release();
    Response out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res)
      out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(res.body());
    if (res.need_eof()) Close();
    return out;
  }

  void Close() {
    if (stream) {
      beast::error_code ec;
      stream->socket().shutdown(tcp::socket::shutdown_both, ec);
      stream->socket().close(ec);
    }
    chunked_sr.reset();
    chunked_req.reset();
  }

  template <typename Req>
  void SetHeaders(Req& req, const Headers& headers) {
    req.set(http::field::host, server.host + ":" + server.port);
    req.set(http::field::user_agent, "onair");
    for (const auto& [k, v] : headers) req.set(k, v);
  }
};

std::string HeaderValue(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (beast::iequals(k, name)) return v;
  }
  return "";
}

HttpConnection::HttpConnection(Url server) : impl_(std::make_unique<Impl>(std::move(server))) {}
HttpConnection::~HttpConnection() { impl_->Close(); }

void HttpConnection::set_max_response_bytes(uint64_t bytes) { impl_->max_response_bytes = bytes; }

bool HttpConnection::connected() const {
  return impl_->stream && impl_->stream->socket().is_open();
}
void HttpConnection::Close() { impl_->Close(); }

StatusOr<Response> HttpConnection::Send(const std::string& method, const std::string& target,
                                        const Headers& headers, const std::string& body,
                                        std::chrono::milliseconds timeout) {
  ONAIR_RETURN_IF_ERROR(impl_->EnsureConnected(timeout));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  impl_->SetHeaders(req, headers);
  req.body() = body;
  req.prepare_payload();
  ONAIR_RETURN_IF_ERROR(impl_->RunOp(
      [&](auto handler) { http::async_write(*impl_->stream, req, handler); }, timeout, "send to"));
  return impl_->ReadResponse(timeout, req.method() == http::verb::head);
}

Status HttpConnection::BeginChunked(const std::string& method, const std::string& target,
                                    const Headers& headers,
                                    const std::vector<std::string>& trailer_names,
                                    std::chrono::milliseconds timeout) {
  ONAIR_RETURN_IF_ERROR(impl_->EnsureConnected(timeout));
  impl_->chunked_req =
      std::make_unique<http::request<http::empty_body>>(http::string_to_verb(method), target, 11);
  auto& req = *impl_->chunked_req;
  impl_->SetHeaders(req, headers);
  req.chunked(true);
  std::string trailer;
  for (const std::string& t : trailer_names) trailer += (trailer.empty() ? "" : ", ") + t;
  if (!trailer.empty()) req.set(http::field::trailer, trailer);
  impl_->chunked_sr = std::make_unique<http::request_serializer<http::empty_body>>(req);
  return impl_->RunOp(
      [&](auto handler) { http::async_write_header(*impl_->stream, *impl_->chunked_sr, handler); },
      timeout, "send to");
}

Status HttpConnection::WriteChunk(const std::string& bytes, std::chrono::milliseconds timeout) {
  if (!impl_->chunked_sr) return Unavailable("no chunked request open");
  if (bytes.empty()) return Status::Ok();  // an empty chunk would end the body
  return impl_->RunOp(
      [&](auto handler) {
        asio::async_write(*impl_->stream, http::make_chunk(asio::buffer(bytes)), handler);
      },
      timeout, "send to");
}

StatusOr<Response> HttpConnection::FinishChunked(const Headers& trailers,
                                                 std::chrono::milliseconds timeout) {
  if (!impl_->chunked_sr) return Unavailable("no chunked request open");
  http::fields fields;
  for (const auto& [k, v] : trailers) fields.set(k, v);
  Status s = impl_->RunOp(
      [&](auto handler) {
        asio::async_write(*impl_->stream, http::make_chunk_last(fields), handler);
      },
      timeout, "send to");
  impl_->chunked_sr.reset();
  impl_->chunked_req.reset();
  if (!s.ok()) return s;
  return impl_->ReadResponse(timeout);
}

Status HttpConnection::StreamGet(const std::string& target, const Headers& headers,
                                 const StreamHandler& handler, std::chrono::milliseconds idle) {
  ONAIR_RETURN_IF_ERROR(impl_->EnsureConnected(idle));
  http::request<http::empty_body> req{http::verb::get, target, 11};
  impl_->SetHeaders(req, headers);
  ONAIR_RETURN_IF_ERROR(impl_->RunOp(
      [&](auto done) { http::async_write(*impl_->stream, req, done); }, idle, "send to"));
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);  // a live segment's size is not known ahead
  ONAIR_RETURN_IF_ERROR(impl_->RunOp(
      [&](auto done) { http::async_read_header(*impl_->stream, impl_->buffer, parser, done); },
      idle, "read response from"));
  Headers head;
  for (const auto& f : parser.get()) {
    head.emplace_back(std::string(f.name_string()), std::string(f.value()));
  }
  if (!handler.on_head(static_cast<int>(parser.get().result_int()), head)) {
    impl_->Close();
    return Status::Ok();
  }
  char piece[64 * 1024];
  while (!parser.is_done()) {
    parser.get().body().data = piece;
    parser.get().body().size = sizeof(piece);
    // need_buffer only says that this piece is full.
    Status s = impl_->RunOpKeepOpen(
        [&](auto done) { http::async_read_some(*impl_->stream, impl_->buffer, parser, done); },
        idle, "read body from", http::error::need_buffer);
    if (!s.ok()) {
      impl_->Close();
      return s;
    }
    const size_t got = sizeof(piece) - parser.get().body().size;
    if (got > 0 && !handler.on_body(std::string_view(piece, got))) {
      impl_->Close();
      return Status::Ok();
    }
  }
  if (parser.get().need_eof()) impl_->Close();
  return Status::Ok();
}

}  // namespace onair::net
