#include "net/http_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <mutex>

#include "net/any_stream.h"

namespace onair::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// One client TLS context per CA file, shared: loading the system's CAs is costly.
std::shared_ptr<asio::ssl::context> ClientTls(const std::string& ca_file) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<asio::ssl::context>> contexts;
  std::lock_guard<std::mutex> lock(mu);
  auto& ctx = contexts[ca_file];
  if (!ctx) {
    ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    boost::system::error_code ec;
    ctx->set_default_verify_paths(ec);
    if (!ca_file.empty()) ctx->load_verify_file(ca_file, ec);
    ctx->set_verify_mode(asio::ssl::verify_peer);
  }
  return ctx;
}

Headers HeadersOf(const http::fields& fields) {
  Headers out;
  for (const auto& f : fields) {
    out.emplace_back(std::string(f.name_string()), std::string(f.value()));
  }
  return out;
}

}  // namespace

struct HttpClient::Impl {
  Impl(asio::any_io_executor e, Url u, ClientOptions opts)
      : ex(std::move(e)), server(std::move(u)), o(std::move(opts)) {}

  asio::any_io_executor ex;
  Url server;
  ClientOptions o;
  std::optional<AnyStream> stream;
  beast::flat_buffer buffer;
  std::unique_ptr<http::request<http::empty_body>> chunked_req;
  std::unique_ptr<http::request_serializer<http::empty_body>> chunked_sr;

  std::string Where() const { return server.host + ":" + server.port; }

  // What a failed operation says; the connection is then in an unknown state and closed.
  Status Failed(const beast::error_code& ec, const std::string& what,
                std::chrono::milliseconds timeout) {
    Close();
    if (ec == beast::error::timeout) {
      return DeadlineExceeded(what + " " + Where() + ": no answer in " +
                              std::to_string(timeout.count()) + " ms");
    }
    return Unavailable(what + " " + Where() + ": " + ec.message());
  }

  asio::awaitable<Status> EnsureConnected() {
    if (stream && stream->tcp().socket().is_open()) co_return Status::Ok();
    buffer.clear();
    stream.reset();
    tcp::resolver resolver(ex);
    auto [rec, endpoints] = co_await resolver.async_resolve(server.host, server.port, kTuple);
    if (rec) co_return Unavailable("cannot resolve " + server.host + ": " + rec.message());
    beast::tcp_stream tcp_stream(ex);
    tcp_stream.expires_after(o.connect_timeout);
    auto [cec, ep] = co_await tcp_stream.async_connect(endpoints, kTuple);
    if (cec) co_return Failed(cec, "connect to", o.connect_timeout);
    tcp_stream.socket().set_option(tcp::no_delay(true));
    if (server.scheme == "https") {
      stream.emplace(AnyStream::Tls(std::move(tcp_stream), *ClientTls(o.ca_file)));
      stream->expires_after(o.connect_timeout);
      const auto hec = co_await stream->Handshake(false, server.host);
      if (hec) co_return Failed(hec, "TLS handshake with", o.connect_timeout);
    } else {
      stream.emplace(AnyStream::Plain(std::move(tcp_stream)));
    }
    co_return Status::Ok();
  }

  template <class Req>
  void SetHeaders(Req& req, const Headers& headers) {
    const bool default_port = (server.scheme == "https" && server.port == "443") ||
                              (server.scheme == "http" && server.port == "80");
    req.set(http::field::host, default_port ? server.host : Where());
    req.set(http::field::user_agent, o.user_agent);
    for (const auto& [k, v] : headers) req.set(k, v);
  }

  // `head`: the answer to a HEAD has a Content-Length but no body.
  asio::awaitable<StatusOr<Response>> ReadResponse(std::chrono::milliseconds timeout, bool head) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(o.max_response_bytes);
    parser.skip(head);
    stream->expires_after(timeout);
    auto [ec, n] = co_await http::async_read(*stream, buffer, parser, kTuple);
    if (ec) co_return Failed(ec, "read response from", timeout);
    auto res = parser.release();
    Response out;
    out.status = static_cast<int>(res.result_int());
    out.headers = HeadersOf(res.base());
    out.body = std::move(res.body());
    if (res.need_eof()) Close();
    co_return out;
  }

  void Close() {
    if (stream) stream->Close();
    stream.reset();
    chunked_sr.reset();
    chunked_req.reset();
  }
};

HttpClient::HttpClient(asio::any_io_executor ex, Url server, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(ex), std::move(server), std::move(options))) {}
HttpClient::~HttpClient() { impl_->Close(); }

void HttpClient::set_max_response_bytes(uint64_t bytes) { impl_->o.max_response_bytes = bytes; }
bool HttpClient::connected() const {
  return impl_->stream && impl_->stream->tcp().socket().is_open();
}
void HttpClient::Close() { impl_->Close(); }
const Url& HttpClient::server() const { return impl_->server; }

asio::awaitable<StatusOr<Response>> HttpClient::Send(std::string method, std::string target,
                                                     Headers headers, std::string body,
                                                     std::chrono::milliseconds timeout) {
  Impl& c = *impl_;
  const Status connected = co_await c.EnsureConnected();
  if (!connected.ok()) co_return connected;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  c.SetHeaders(req, headers);
  req.body() = std::move(body);
  req.prepare_payload();
  c.stream->expires_after(timeout);
  auto [ec, n] = co_await http::async_write(*c.stream, req, kTuple);
  if (ec) co_return c.Failed(ec, "send to", timeout);
  co_return co_await c.ReadResponse(timeout, req.method() == http::verb::head);
}

asio::awaitable<Status> HttpClient::StreamGet(std::string target, Headers headers,
                                              StreamHandler handler,
                                              std::chrono::milliseconds header_timeout,
                                              std::chrono::milliseconds idle, bool* head_seen) {
  Impl& c = *impl_;
  if (head_seen) *head_seen = false;
  const Status connected = co_await c.EnsureConnected();
  if (!connected.ok()) co_return connected;
  http::request<http::empty_body> req{http::verb::get, target, 11};
  c.SetHeaders(req, headers);
  c.stream->expires_after(c.o.connect_timeout);
  auto [wec, wn] = co_await http::async_write(*c.stream, req, kTuple);
  if (wec) co_return c.Failed(wec, "send to", c.o.connect_timeout);
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);  // a live segment's size is not known ahead
  // Beast reads no more than the buffer's free capacity: room for large pieces.
  c.buffer.reserve(64 * 1024);
  c.stream->expires_after(header_timeout);
  auto [hec, hn] = co_await http::async_read_header(*c.stream, c.buffer, parser, kTuple);
  if (hec) co_return c.Failed(hec, "read response from", header_timeout);
  if (head_seen) *head_seen = true;
  if (!handler.on_head(static_cast<int>(parser.get().result_int()),
                       HeadersOf(parser.get().base()))) {
    c.Close();
    co_return Status::Ok();
  }
  // Not zeroed: the parser writes it before anyone reads it (a segment request is made many
  // thousands of times a second by a crowd of virtual devices).
  constexpr size_t kPiece = 64 * 1024;
  const auto piece = std::make_unique_for_overwrite<char[]>(kPiece);
  while (!parser.is_done()) {
    parser.get().body().data = piece.get();
    parser.get().body().size = kPiece;
    c.stream->expires_after(idle);
    auto [ec, n] = co_await http::async_read_some(*c.stream, c.buffer, parser, kTuple);
    if (ec == http::error::need_buffer) ec = {};  // only says that this piece is full
    const size_t got = kPiece - parser.get().body().size;
    if (got > 0 && !handler.on_body(std::string_view(piece.get(), got))) {
      c.Close();
      co_return Status::Ok();
    }
    if (ec) co_return c.Failed(ec, "read body from", idle);
  }
  if (parser.get().need_eof()) c.Close();
  co_return Status::Ok();
}

asio::awaitable<Status> HttpClient::BeginChunked(std::string method, std::string target,
                                                 Headers headers,
                                                 std::vector<std::string> trailer_names,
                                                 std::chrono::milliseconds timeout) {
  Impl& c = *impl_;
  const Status connected = co_await c.EnsureConnected();
  if (!connected.ok()) co_return connected;
  c.chunked_req =
      std::make_unique<http::request<http::empty_body>>(http::string_to_verb(method), target, 11);
  auto& req = *c.chunked_req;
  c.SetHeaders(req, headers);
  req.chunked(true);
  std::string trailer;
  for (const std::string& t : trailer_names) trailer += (trailer.empty() ? "" : ", ") + t;
  if (!trailer.empty()) req.set(http::field::trailer, trailer);
  c.chunked_sr = std::make_unique<http::request_serializer<http::empty_body>>(req);
  c.stream->expires_after(timeout);
  auto [ec, n] = co_await http::async_write_header(*c.stream, *c.chunked_sr, kTuple);
  if (ec) co_return c.Failed(ec, "send to", timeout);
  co_return Status::Ok();
}

asio::awaitable<Status> HttpClient::WriteChunk(std::string bytes,
                                               std::chrono::milliseconds timeout) {
  Impl& c = *impl_;
  if (!c.chunked_sr) co_return Unavailable("no chunked request open");
  if (bytes.empty()) co_return Status::Ok();  // an empty chunk would end the body
  c.stream->expires_after(timeout);
  auto [ec, n] =
      co_await asio::async_write(*c.stream, http::make_chunk(asio::buffer(bytes)), kTuple);
  if (ec) co_return c.Failed(ec, "send to", timeout);
  co_return Status::Ok();
}

asio::awaitable<StatusOr<Response>> HttpClient::FinishChunked(Headers trailers,
                                                              std::chrono::milliseconds timeout) {
  Impl& c = *impl_;
  if (!c.chunked_sr) co_return Unavailable("no chunked request open");
  http::fields fields;
  for (const auto& [k, v] : trailers) fields.set(k, v);
  c.stream->expires_after(timeout);
  auto [ec, n] = co_await asio::async_write(*c.stream, http::make_chunk_last(fields), kTuple);
  c.chunked_sr.reset();
  c.chunked_req.reset();
  if (ec) co_return c.Failed(ec, "send to", timeout);
  co_return co_await c.ReadResponse(timeout, false);
}

// ----- the blocking facade -----

HttpConnection::HttpConnection(Url server, ClientOptions options)
    : client_(std::make_unique<HttpClient>(ioc_.get_executor(), std::move(server),
                                           std::move(options))) {}

HttpConnection::~HttpConnection() { client_->Close(); }

template <class T>
T HttpConnection::Run(asio::awaitable<T> op) {
  std::optional<T> result;
  asio::co_spawn(
      ioc_,
      [&result, op = std::move(op)]() mutable -> asio::awaitable<void> {
        result.emplace(co_await std::move(op));
      },
      [&result](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          result.emplace(Internal(std::string("HTTP client: ") + ex.what()));
        }
      });
  ioc_.restart();
  ioc_.run();
  if (!result) return T(Internal("HTTP client: the operation did not finish"));
  return std::move(*result);
}

StatusOr<Response> HttpConnection::Send(const std::string& method, const std::string& target,
                                        const Headers& headers, const std::string& body,
                                        std::chrono::milliseconds timeout) {
  return Run(client_->Send(method, target, headers, body, timeout));
}

Status HttpConnection::BeginChunked(const std::string& method, const std::string& target,
                                    const Headers& headers,
                                    const std::vector<std::string>& trailer_names,
                                    std::chrono::milliseconds timeout) {
  return Run(client_->BeginChunked(method, target, headers, trailer_names, timeout));
}

Status HttpConnection::WriteChunk(const std::string& bytes, std::chrono::milliseconds timeout) {
  return Run(client_->WriteChunk(bytes, timeout));
}

StatusOr<Response> HttpConnection::FinishChunked(const Headers& trailers,
                                                 std::chrono::milliseconds timeout) {
  return Run(client_->FinishChunked(trailers, timeout));
}

Status HttpConnection::StreamGet(const std::string& target, const Headers& headers,
                                 const StreamHandler& handler, std::chrono::milliseconds idle) {
  return Run(client_->StreamGet(target, headers, handler, idle, idle));
}

void HttpConnection::set_max_response_bytes(uint64_t bytes) {
  client_->set_max_response_bytes(bytes);
}
bool HttpConnection::connected() const { return client_->connected(); }
void HttpConnection::Close() { client_->Close(); }

}  // namespace onair::net
