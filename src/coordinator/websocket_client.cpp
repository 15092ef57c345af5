#include "coordinator/websocket_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <deque>

namespace provernet::coordinator {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct WebSocketClient::Impl {
    WebSocketClientOptions options;
    net::io_context ioc{1};
    std::optional<websocket::stream<beast::tcp_stream>> ws;
    std::string url;

    beast::flat_buffer read_buffer;
    bool read_pending = false;
    bool read_done = false;
    beast::error_code read_error;
    std::deque<std::string> messages;  // received, not yet returned by read()
    std::optional<WebSocketClosed> closed;

    // Runs handlers until done() or the deadline; returns done().
    template <typename Done>
    bool run_until(Done done, Clock::time_point deadline) {
        ioc.restart();
        while (!done()) {
            if (ioc.run_one_until(deadline) == 0) break;
        }
        return done();
    }

    // Runs handlers until done() with no deadline (the operation is known to finish, e.g.
    // because its socket was closed or the stream's own timeout bounds it).
    template <typename Done>
    void run_to_completion(Done done) {
        ioc.restart();
        while (!done() && ioc.run_one() > 0) {
        }
    }

    void wait_read_finished() {
        run_to_completion([this] { return !read_pending; });
    }

    void start_read() {
        read_pending = true;
        read_done = false;
        ws->async_read(read_buffer, [this](beast::error_code ec, size_t) {
            read_pending = false;
            read_done = true;
            read_error = ec;
        });
    }

    // Turns a completed read into messages, or into the closed state.
    void take_read_result() {
        read_done = false;
        if (read_error) {
            mark_closed(read_error);
            return;
        }
        std::string text = beast::buffers_to_string(read_buffer.data());
        read_buffer.consume(read_buffer.size());
        size_t start = 0;
        while (start <= text.size()) {
            size_t end = text.find('\n', start);
            if (end == std::string::npos) end = text.size();
            if (end > start) messages.emplace_back(text, start, end - start);
            start = end + 1;
        }
    }

    void mark_closed(beast::error_code ec) {
        // A close frame received counts even when the read then failed (e.g. sending the
        // close reply hit a reset connection).
        if (ec == websocket::error::closed || ws->reason().code != websocket::close_code::none) {
            const auto& reason = ws->reason();
            std::string text(reason.reason.data(), reason.reason.size());
            closed.emplace(url + ": closed by the server (code " + std::to_string(reason.code) +
                               (text.empty() ? "" : ": " + text) + ")",
                           reason.code, text);
        } else if (ec == websocket::error::message_too_big) {
            closed.emplace(url + ": a message exceeds the limit of " + std::to_string(options.max_message_bytes) + " bytes",
                           static_cast<uint16_t>(websocket::close_code::too_big), "message too big");
        } else {
            closed.emplace(url + ": connection lost: " + ec.message(), uint16_t{1006}, ec.message());
        }
        drop();
    }

    // Closes the socket and waits for the pending read's handler (it refers to this object).
    void drop() {
        if (!ws) return;
        beast::get_lowest_layer(*ws).close();
        wait_read_finished();
        ws.reset();
        read_done = false;
        read_buffer.clear();
    }

    void check_open(const char* what) {
        if (closed) throw WebSocketClosed(std::string(what) + ": " + closed->what(), closed->code(), closed->reason());
        if (!ws) throw WebSocketError(std::string(what) + ": not connected");
    }
};

WebSocketClient::WebSocketClient(WebSocketClientOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
}

WebSocketClient::~WebSocketClient() {
    // No close handshake here: a destructor must not block on a peer.
    impl_->drop();
}

void WebSocketClient::connect(const std::string& host, uint16_t port, const std::string& target) {
    Impl& impl = *impl_;
    impl.drop();
    impl.closed.reset();
    impl.messages.clear();
    impl.url = "ws://" + host + ":" + std::to_string(port) + target;

    beast::error_code ec;
    tcp::resolver resolver(impl.ioc);
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec || endpoints.empty()) throw WebSocketError(impl.url + ": cannot resolve \"" + host + "\": " + ec.message());

    impl.ws.emplace(impl.ioc);
    auto& stream = beast::get_lowest_layer(*impl.ws);
    bool done = false;
    stream.expires_after(impl.options.connect_timeout);
    if (impl.options.receive_buffer_bytes == 0) {
        stream.async_connect(endpoints, [&](beast::error_code result, const tcp::endpoint&) {
            ec = result;
            done = true;
        });
    } else {
        // The buffer size must be set before the connection exists: the window scale is
        // negotiated in the handshake.
        tcp::endpoint endpoint = *endpoints.begin();
        stream.socket().open(endpoint.protocol(), ec);
        if (!ec) {
            stream.socket().set_option(net::socket_base::receive_buffer_size(static_cast<int>(impl.options.receive_buffer_bytes)), ec);
        }
        if (ec) throw WebSocketError(impl.url + ": cannot set up the socket: " + ec.message());
        stream.async_connect(endpoint, [&](beast::error_code result) {
            ec = result;
            done = true;
        });
    }
    impl.run_to_completion([&] { return done; });
    if (ec) {
        impl.ws.reset();
        std::string cause = ec == beast::error::timeout
                                ? "timed out after " + std::to_string(impl.options.connect_timeout.count()) + " ms"
                                : ec.message();
        throw WebSocketError(impl.url + ": cannot connect: " + cause);
    }
    stream.socket().set_option(tcp::no_delay(true), ec);
    stream.expires_never();  // the websocket's own timeouts take over

    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = impl.options.connect_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    impl.ws->set_option(timeouts);
    impl.ws->set_option(websocket::stream_base::decorator([headers = impl.options.headers](websocket::request_type& request) {
        request.set(http::field::user_agent, "provernet");
        for (const auto& [name, value] : headers) request.set(name, value);
    }));
    impl.ws->read_message_max(impl.options.max_message_bytes);

    websocket::response_type response;
    done = false;
    impl.ws->async_handshake(response, host + ":" + std::to_string(port), target, [&](beast::error_code result) {
        ec = result;
        done = true;
    });
    impl.run_to_completion([&] { return done; });
    if (ec) {
        impl.ws.reset();
        std::string cause = ec.message();
        if (ec == websocket::error::upgrade_declined || response.result_int() != 0) {
            cause = "upgrade refused: HTTP " + std::to_string(response.result_int());
            if (!response.body().empty()) cause += ": " + response.body();
        } else if (ec == beast::error::timeout) {
            cause = "handshake timed out after " + std::to_string(impl.options.connect_timeout.count()) + " ms";
        }
        throw WebSocketError(impl.url + ": " + cause);
    }
    impl.start_read();
}

bool WebSocketClient::is_open() const { return impl_->ws.has_value() && !impl_->closed; }

void WebSocketClient::send(const nlohmann::json& message) {
    send_text(message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void WebSocketClient::send_text(std::string_view text) {
    Impl& impl = *impl_;
    impl.check_open("send");
    beast::error_code ec;
    bool done = false;
    impl.ws->text(true);
    impl.ws->async_write(net::buffer(text.data(), text.size()), [&](beast::error_code result, size_t) {
        ec = result;
        done = true;
    });
    // A server that stops reading must not block the caller forever.
    if (!impl.run_until([&] { return done; }, Clock::now() + impl.options.connect_timeout)) {
        beast::get_lowest_layer(*impl.ws).close();
        impl.run_to_completion([&] { return done; });
        if (!ec) ec = beast::error::timeout;
    }
    if (ec) {
        std::string cause = ec == beast::error::timeout ? "timed out (the server does not read)" : ec.message();
        // The server may have closed with a reason (e.g. 1009 for a message over its limit):
        // give the pending read a moment to receive that close frame before cutting it off.
        impl.run_until([&] { return !impl.read_pending; }, Clock::now() + std::chrono::milliseconds(1000));
        if (impl.read_pending) beast::get_lowest_layer(*impl.ws).close();
        impl.wait_read_finished();
        if (impl.read_done) impl.take_read_result();
        if (!impl.closed) impl.mark_closed(ec);
        throw WebSocketClosed(impl.url + ": send failed: " + cause, impl.closed->code(), impl.closed->reason());
    }
}

std::optional<std::string> WebSocketClient::read(std::chrono::milliseconds timeout) {
    Impl& impl = *impl_;
    for (;;) {
        if (!impl.messages.empty()) {
            std::string message = std::move(impl.messages.front());
            impl.messages.pop_front();
            return message;
        }
        impl.check_open("read");
        if (!impl.read_done) {
            if (timeout.count() <= 0) {
                impl.ioc.restart();
                while (!impl.read_done && impl.ioc.poll_one() > 0) {
                }
            } else {
                impl.run_until([&] { return impl.read_done; }, Clock::now() + timeout);
            }
            if (!impl.read_done) return std::nullopt;
        }
        impl.take_read_result();
        if (impl.ws) impl.start_read();
    }
}

std::optional<nlohmann::json> WebSocketClient::read_json(std::chrono::milliseconds timeout) {
    auto text = read(timeout);
    if (!text) return std::nullopt;
    auto message = nlohmann::json::parse(*text, nullptr, false);
    if (message.is_discarded()) {
        throw WebSocketError(impl_->url + ": message is not valid JSON: " + text->substr(0, 200));
    }
    return message;
}

void WebSocketClient::close(uint16_t code, std::string_view reason) {
    Impl& impl = *impl_;
    if (!impl.ws || impl.closed) return;
    bool done = false;
    beast::error_code ec;
    impl.ws->async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason), [&](beast::error_code result) {
        ec = result;
        done = true;
    });
    // The pending read receives the server's close reply; the handshake timeout bounds both.
    if (!impl.run_until([&] { return done; }, Clock::now() + impl.options.connect_timeout)) {
        beast::get_lowest_layer(*impl.ws).close();
        impl.run_to_completion([&] { return done; });
    }
    impl.run_until([&] { return !impl.read_pending; }, Clock::now() + impl.options.connect_timeout);
    if (impl.read_pending) beast::get_lowest_layer(*impl.ws).close();
    impl.wait_read_finished();
    if (impl.read_done) impl.take_read_result();
    if (!impl.closed) impl.mark_closed(websocket::error::closed);
    impl.drop();
}

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
    : initial_(initial), max_(max), current_(initial), random_(std::random_device{}()) {
    if (initial.count() <= 0 || max < initial) throw std::invalid_argument("Backoff: need 0 < initial <= max");
}

std::chrono::milliseconds Backoff::next_delay() {
    auto delay = current_;
    current_ = std::min(current_ * 2, max_);
    std::uniform_int_distribution<int64_t> jitter(delay.count() / 2, delay.count());
    return std::chrono::milliseconds(jitter(random_));
}

}  // namespace provernet::coordinator
