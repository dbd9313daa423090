#include "net/any_stream.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace onair::net {

struct AnyStream::Impl {
  virtual ~Impl() = default;
  virtual beast::tcp_stream& tcp() = 0;
  virtual bool tls() const = 0;
  virtual void ReadSome(asio::mutable_buffer b, IoHandler h) = 0;
  virtual void WriteSome(const GatheredBuffers& b, IoHandler h) = 0;
  virtual asio::awaitable<boost::system::error_code> Handshake(bool server,
                                                               const std::string& sni) = 0;
  virtual void Teardown(beast::role_type role, boost::system::error_code& ec) = 0;
  virtual void AsyncTeardown(beast::role_type role, DoneHandler h) = 0;
};

namespace {

// A type-erased handler carries an executor type that Asio 1.26 cannot post to
// (any_completion_executor lacks blocking.never): the stream's own executor stands in.
template <class Handler>
auto Bound(const asio::any_io_executor& ex, Handler h) {
  return asio::bind_executor(ex, std::move(h));
}

struct PlainImpl final : AnyStream::Impl {
  explicit PlainImpl(beast::tcp_stream s) : stream(std::move(s)) {}
  beast::tcp_stream stream;

  beast::tcp_stream& tcp() override { return stream; }
  bool tls() const override { return false; }
  void ReadSome(asio::mutable_buffer b, AnyStream::IoHandler h) override {
    stream.async_read_some(b, Bound(stream.get_executor(), std::move(h)));
  }
  void WriteSome(const GatheredBuffers& b, AnyStream::IoHandler h) override {
    stream.async_write_some(b, Bound(stream.get_executor(), std::move(h)));
  }
  asio::awaitable<boost::system::error_code> Handshake(bool, const std::string&) override {
    co_return boost::system::error_code{};
  }
  void Teardown(beast::role_type role, boost::system::error_code& ec) override {
    beast::websocket::teardown(role, stream.socket(), ec);
  }
  void AsyncTeardown(beast::role_type role, AnyStream::DoneHandler h) override {
    beast::websocket::async_teardown(role, stream.socket(),
                                     Bound(stream.get_executor(), std::move(h)));
  }
};

struct TlsImpl final : AnyStream::Impl {
  TlsImpl(beast::tcp_stream s, asio::ssl::context& ctx) : stream(std::move(s), ctx) {}
  beast::ssl_stream<beast::tcp_stream> stream;

  beast::tcp_stream& tcp() override { return stream.next_layer(); }
  bool tls() const override { return true; }
  void ReadSome(asio::mutable_buffer b, AnyStream::IoHandler h) override {
    stream.async_read_some(b, Bound(stream.get_executor(), std::move(h)));
  }
  void WriteSome(const GatheredBuffers& b, AnyStream::IoHandler h) override {
    stream.async_write_some(b, Bound(stream.get_executor(), std::move(h)));
  }
  asio::awaitable<boost::system::error_code> Handshake(bool server,
                                                       const std::string& sni) override {
    if (!server && !sni.empty()) {
      // The name the client asks for (SNI), and the one its certificate must carry.
      SSL_set_tlsext_host_name(stream.native_handle(), sni.c_str());
      SSL_set1_host(stream.native_handle(), sni.c_str());
    }
    auto [ec] = co_await stream.async_handshake(
        server ? asio::ssl::stream_base::server : asio::ssl::stream_base::client,
        asio::as_tuple(asio::use_awaitable));
    co_return ec;
  }
  void Teardown(beast::role_type role, boost::system::error_code& ec) override {
    beast::teardown(role, stream, ec);
  }
  void AsyncTeardown(beast::role_type role, AnyStream::DoneHandler h) override {
    beast::async_teardown(role, stream, Bound(stream.get_executor(), std::move(h)));
  }
};

}  // namespace

AnyStream::AnyStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AnyStream::AnyStream(AnyStream&&) noexcept = default;
AnyStream& AnyStream::operator=(AnyStream&&) noexcept = default;
AnyStream::~AnyStream() = default;

AnyStream AnyStream::Plain(beast::tcp_stream stream) {
  return AnyStream(std::make_unique<PlainImpl>(std::move(stream)));
}

AnyStream AnyStream::Tls(beast::tcp_stream stream, asio::ssl::context& context) {
  return AnyStream(std::make_unique<TlsImpl>(std::move(stream), context));
}

AnyStream::executor_type AnyStream::get_executor() const noexcept {
  return impl_->tcp().get_executor();
}

bool AnyStream::is_tls() const { return impl_->tls(); }

beast::tcp_stream& AnyStream::tcp() { return impl_->tcp(); }

asio::awaitable<boost::system::error_code> AnyStream::Handshake(bool server,
                                                                const std::string& sni) {
  return impl_->Handshake(server, sni);
}

void AnyStream::Close() {
  boost::system::error_code ec;
  tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  tcp().socket().close(ec);
}

void AnyStream::ReadSome(Impl* impl, asio::mutable_buffer b, IoHandler handler) {
  impl->ReadSome(b, std::move(handler));
}

void AnyStream::WriteSome(Impl* impl, const GatheredBuffers& b, IoHandler handler) {
  impl->WriteSome(b, std::move(handler));
}

void AnyStream::Teardown(beast::role_type role, boost::system::error_code& ec) {
  impl_->Teardown(role, ec);
}

void AnyStream::AsyncTeardown(beast::role_type role, DoneHandler handler) {
  impl_->AsyncTeardown(role, std::move(handler));
}

void beast_close_socket(AnyStream& stream) { stream.Close(); }

void teardown(beast::role_type role, AnyStream& stream, boost::system::error_code& ec) {
  stream.Teardown(role, ec);
}

}  // namespace onair::net
