// One connection's byte stream, plain TCP or TLS over TCP, behind one type: a server's request
// loop, its routes and the HTTP client are written once and serve both. It is an Asio
// AsyncReadStream and AsyncWriteStream, so Beast's http:: and websocket:: operations and
// asio::async_write take it as they take a socket. The indirection costs one type-erased
// handler per read or write (docs/decisions.md, "One stream type for plain and TLS").
#pragma once

#include <array>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace onair::net {

namespace asio = boost::asio;
namespace beast = boost::beast;

// At most this many buffers go into one write (the rest into the next: a write may be short).
constexpr size_t kMaxGather = 64;

// The buffers of one write, as a buffer sequence of its own (copied into the operation).
struct GatheredBuffers {
  std::array<asio::const_buffer, kMaxGather> buffers;
  size_t count = 0;
  const asio::const_buffer* begin() const { return buffers.data(); }
  const asio::const_buffer* end() const { return buffers.data() + count; }
};

class AnyStream {
 public:
  using executor_type = asio::any_io_executor;
  using IoHandler = asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;
  using DoneHandler = asio::any_completion_handler<void(boost::system::error_code)>;

  // A plain TCP connection.
  static AnyStream Plain(beast::tcp_stream stream);
  // TLS over `stream` with `context` (which must outlive the stream); Handshake() first.
  static AnyStream Tls(beast::tcp_stream stream, asio::ssl::context& context);

  AnyStream(AnyStream&&) noexcept;
  AnyStream& operator=(AnyStream&&) noexcept;
  ~AnyStream();

  executor_type get_executor() const noexcept;
  bool is_tls() const;
  // The TCP connection underneath: its deadline bounds every operation on this stream.
  beast::tcp_stream& tcp();
  void expires_after(std::chrono::steady_clock::duration d) { tcp().expires_after(d); }
  void expires_never() { tcp().expires_never(); }

  // The TLS handshake as a server or a client (`sni`: the name a client asks for); nothing to
  // do on a plain stream. Bounded by the deadline set before.
  asio::awaitable<boost::system::error_code> Handshake(bool server, const std::string& sni = "");
  // Closes the connection at once (no TLS close_notify: the peer may be gone).
  void Close();

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    asio::mutable_buffer first;
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
         ++it) {
      first = asio::mutable_buffer(*it);
      if (first.size() > 0) break;
    }
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [impl = impl_.get()](auto handler, asio::mutable_buffer b) {
          ReadSome(impl, b, IoHandler(std::move(handler)));
        },
        token, first);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    GatheredBuffers g;
    for (auto it = asio::buffer_sequence_begin(buffers);
         it != asio::buffer_sequence_end(buffers) && g.count < kMaxGather; ++it) {
      const asio::const_buffer b(*it);
      if (b.size() > 0) g.buffers[g.count++] = b;
    }
    return asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [impl = impl_.get()](auto handler, const GatheredBuffers& b) {
          WriteSome(impl, b, IoHandler(std::move(handler)));
        },
        token, g);
  }

  // For Beast's websocket::stream<AnyStream>: the end of a WebSocket connection.
  void Teardown(beast::role_type role, boost::system::error_code& ec);
  void AsyncTeardown(beast::role_type role, DoneHandler handler);

  struct Impl;

 private:
  explicit AnyStream(std::unique_ptr<Impl> impl);
  static void ReadSome(Impl* impl, asio::mutable_buffer b, IoHandler handler);
  static void WriteSome(Impl* impl, const GatheredBuffers& b, IoHandler handler);

  std::unique_ptr<Impl> impl_;
};

// Found by Beast's websocket stream through argument-dependent lookup.
void beast_close_socket(AnyStream& stream);
void teardown(beast::role_type role, AnyStream& stream, boost::system::error_code& ec);
template <class Handler>
void async_teardown(beast::role_type role, AnyStream& stream, Handler&& handler) {
  stream.AsyncTeardown(role, AnyStream::DoneHandler(std::forward<Handler>(handler)));
}

}  // namespace onair::net
