#include "coordinator/http_server.hpp"

#include "coordinator/server_detail.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <iostream>
#include <thread>

#include <pthread.h>

namespace provernet::coordinator {

namespace detail {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

// --- ServerCore ---

void ServerCore::log(std::string_view message) const {
    if (config.log) {
        config.log(message);
    } else {
        std::cerr << "coordinator http: " << message << std::endl;
    }
}

void ServerCore::add_connection(const std::shared_ptr<Connection>& connection) {
    std::lock_guard lock(connections_mutex_);
    connections_.emplace(connection.get(), connection);
}

void ServerCore::remove_connection(const Connection* connection) {
    std::lock_guard lock(connections_mutex_);
    connections_.erase(connection);
}

size_t ServerCore::connection_count() const {
    std::lock_guard lock(connections_mutex_);
    return connections_.size();
}

std::vector<std::shared_ptr<Connection>> ServerCore::connections() const {
    std::lock_guard lock(connections_mutex_);
    std::vector<std::shared_ptr<Connection>> live;
    for (const auto& [key, weak] : connections_) {
        if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
    return live;
}

namespace {

bool is_http_parse_error(const beast::error_code& ec) {
    return &ec.category() == &http::make_error_code(http::error::bad_method).category();
}

// --- HTTP session ---

class HttpSession final : public Connection {
public:
    HttpSession(tcp::socket&& socket, ServerCore& core) : stream_(std::move(socket)), core_(core) {
        beast::error_code ec;
        auto endpoint = stream_.socket().remote_endpoint(ec);
        if (!ec) remote_address_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    }
    ~HttpSession() override { core_.remove_connection(this); }

    void start() {
        core_.add_connection(shared_from_this());
        net::dispatch(stream_.get_executor(), [self = self()] { self->wait_for_request(); });
    }

    void close_socket() override {
        beast::error_code ec;
        stream_.socket().close(ec);
    }

private:
    std::shared_ptr<HttpSession> self() { return std::static_pointer_cast<HttpSession>(shared_from_this()); }

    // Between requests the connection may idle for idle_timeout; from the first byte of a
    // request on, request_timeout bounds the whole request.
    void wait_for_request() {
        if (buffer_.size() > 0) return read_header();  // pipelined bytes already here
        stream_.expires_after(core_.config.idle_timeout);
        stream_.async_read_some(buffer_.prepare(4096), [self = self()](beast::error_code ec, size_t n) {
            if (ec) return self->close();
            self->buffer_.commit(n);
            self->read_header();
        });
    }

    void read_header() {
        parser_.emplace();
        parser_->header_limit(static_cast<uint32_t>(std::min<size_t>(core_.config.max_header_bytes, UINT32_MAX)));
        parser_->body_limit(core_.config.max_body_bytes);
        stream_.expires_after(core_.config.request_timeout);
        http::async_read_header(stream_, buffer_, *parser_, [self = self()](beast::error_code ec, size_t) {
            if (ec) return self->on_read_error(ec);
            self->on_header();
        });
    }

    void on_header() {
        auto& header = parser_->get();
        if (beast::websocket::is_upgrade(header)) {
            auto route = core_.websocket_routes.find(split_target(header.target()).first);
            if (route != core_.websocket_routes.end()) return upgrade(route->second);
        }
        if (iequals(header[http::field::expect], "100-continue") && !parser_->is_done()) {
            // The client waits for this before sending the body (curl does for large bodies).
            continue_.emplace(http::status::continue_, header.version());
            http::async_write(stream_, *continue_, [self = self()](beast::error_code ec, size_t) {
                if (ec) return self->close();
                self->read_body();
            });
            return;
        }
        read_body();
    }

    void read_body() {
        if (parser_->is_done()) return on_request();
        http::async_read(stream_, buffer_, *parser_, [self = self()](beast::error_code ec, size_t) {
            if (ec) return self->on_read_error(ec);
            self->on_request();
        });
    }

    static std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
        size_t q = target.find('?');
        if (q == std::string_view::npos) return {target, {}};
        return {target.substr(0, q), target.substr(q + 1)};
    }

    Request make_request() {
        auto message = parser_->release();
        Request request;
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        auto [path, query] = split_target(request.target);
        request.path = std::string(path);
        request.query = std::string(query);
        request.headers.reserve(8);
        for (const auto& field : message) {
            request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        request.body = std::move(message.body());
        request.remote_address = remote_address_;
        return request;
    }

    void on_request() {
        bool keep_alive = parser_->get().keep_alive();
        Request request = make_request();
        request.defer = [self = self(), keep_alive]() -> Responder {
            return [self, keep_alive](Response response) {
                net::post(self->stream_.get_executor(), [self, keep_alive, response = std::move(response)]() mutable {
                    self->write_response(std::move(response), !keep_alive);
                });
            };
        };
        Response response = dispatch(request);
        if (response.is_deferred) return;  // the handler's responder writes it
        write_response(std::move(response), !keep_alive);
    }

    Response dispatch(Request& request) {
        try {
            const MethodHandlers* handlers = nullptr;
            if (auto it = core_.exact_routes.find(request.path); it != core_.exact_routes.end()) {
                handlers = &it->second;
            } else {
                for (const auto& [prefix, candidate] : core_.prefix_routes) {
                    if (request.path.compare(0, prefix.size(), prefix) == 0) {
                        handlers = &candidate;
                        request.route_suffix = request.path.substr(prefix.size());
                        break;
                    }
                }
            }
            if (!handlers) return Response::error(404, "no route for " + request.path);
            auto handler = handlers->by_method.find(request.method);
            if (handler == handlers->by_method.end()) {
                std::string allowed;
                for (const auto& [method, ignored] : handlers->by_method) {
                    allowed += (allowed.empty() ? "" : ", ") + method;
                }
                Response response = Response::error(
                    405, "method " + request.method + " is not allowed for " + request.path + " (allowed: " + allowed + ")");
                response.headers.emplace_back("Allow", allowed);
                return response;
            }
            return handler->second(request);
        } catch (const HttpError& e) {
            int status = e.status() >= 400 && e.status() <= 599 ? e.status() : 500;
            return Response::error(status, e.what());
        } catch (const std::exception& e) {
            core_.log(request.method + " " + request.path + ": handler threw: " + e.what());
            return Response::error(500, std::string("internal error: ") + e.what());
        } catch (...) {
            core_.log(request.method + " " + request.path + ": handler threw a non-exception");
            return Response::error(500, "internal error");
        }
    }

    void on_read_error(beast::error_code ec) {
        const auto& config = core_.config;
        if (ec == http::error::body_limit) {
            return write_response(Response::error(413, "request body exceeds the limit of " +
                                                           std::to_string(config.max_body_bytes) + " bytes"),
                                  true);
        }
        if (ec == http::error::header_limit) {
            return write_response(Response::error(431, "request headers exceed the limit of " +
                                                           std::to_string(config.max_header_bytes) + " bytes"),
                                  true);
        }
        // A client that closes mid-request (partial_message) gets no answer; neither does one
        // that timed out (the stream already closed the socket).
        if (is_http_parse_error(ec) && ec != http::error::partial_message && ec != http::error::end_of_stream) {
            return write_response(Response::error(400, "malformed HTTP request: " + ec.message()), true);
        }
        close();
    }

    void write_response(Response response, bool close_after) {
        response_.emplace();
        auto& message = *response_;
        message.version(11);
        message.result(static_cast<unsigned>(response.status));
        message.set(http::field::server, "provernet");
        if (!response.content_type.empty()) message.set(http::field::content_type, response.content_type);
        for (const auto& [name, value] : response.headers) message.set(name, value);
        message.body() = std::move(response.body);
        message.keep_alive(!close_after);
        message.prepare_payload();
        stream_.expires_after(core_.config.request_timeout);
        http::async_write(stream_, message, [self = self(), close_after](beast::error_code ec, size_t) {
            if (ec) return self->close();
            if (close_after) return self->linger_and_close();
            self->wait_for_request();
        });
    }

    // After an error answer the client may still be sending (an oversized upload): closing now
    // would reset the connection and could destroy the answer before the client reads it.
    // Stop sending, then discard input until the client closes, for a bounded time and size.
    void linger_and_close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.expires_after(std::min<std::chrono::milliseconds>(core_.config.request_timeout,
                                                                  std::chrono::milliseconds(2000)));
        drain();
    }

    void drain() {
        stream_.async_read_some(net::buffer(drain_buffer_), [self = self()](beast::error_code ec, size_t n) {
            self->drained_ += n;
            if (ec || self->drained_ > 64 * 1024 * 1024) return self->close();
            self->drain();
        });
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
    }

    void upgrade(const WebSocketRoute& route) {
        Request request = make_request_header_only();
        if (route.accept) {
            std::optional<Response> refusal;
            try {
                refusal = route.accept(request);
            } catch (const HttpError& e) {
                refusal = Response::error(e.status(), e.what());
            } catch (const std::exception& e) {
                refusal = Response::error(500, std::string("internal error: ") + e.what());
            }
            if (refusal) return write_response(std::move(*refusal), true);
        }
        stream_.expires_never();
        start_websocket_session(std::move(stream_), core_, route, std::move(request), parser_->release());
    }

    Request make_request_header_only() {
        const auto& message = parser_->get();
        Request request;
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        auto [path, query] = split_target(request.target);
        request.path = std::string(path);
        request.query = std::string(query);
        for (const auto& field : message) {
            request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        request.remote_address = remote_address_;
        return request;
    }

    beast::tcp_stream stream_;
    ServerCore& core_;
    std::string remote_address_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<http::response<http::string_body>> response_;
    std::optional<http::response<http::empty_body>> continue_;
    std::array<char, 16 * 1024> drain_buffer_;
    size_t drained_ = 0;
};

// --- Listener ---

constexpr std::string_view too_many_connections =
    "HTTP/1.1 503 Service Unavailable\r\nServer: provernet\r\nContent-Type: application/json\r\n"
    "Connection: close\r\nContent-Length: 42\r\n\r\n{\"error\":\"too many connections, try later\"}";

class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(net::io_context& ioc, ServerCore& core)
        : ioc_(ioc), acceptor_(net::make_strand(ioc)), retry_timer_(acceptor_.get_executor()), core_(core) {}

    // Throws std::runtime_error naming the address.
    void listen(const tcp::endpoint& endpoint) {
        beast::error_code ec;
        auto fail = [&](const char* what) {
            throw std::runtime_error("cannot listen on " + endpoint.address().to_string() + ":" +
                                     std::to_string(endpoint.port()) + ": " + what + ": " + ec.message());
        };
        acceptor_.open(endpoint.protocol(), ec);
        if (ec) fail("open");
        // A restarted server must be able to bind its port again at once (TIME_WAIT sockets).
        acceptor_.set_option(net::socket_base::reuse_address(true), ec);
        if (ec) fail("SO_REUSEADDR");
        acceptor_.bind(endpoint, ec);
        if (ec) fail("bind");
        acceptor_.listen(net::socket_base::max_listen_connections, ec);
        if (ec) fail("listen");
    }

    uint16_t port() const { return acceptor_.local_endpoint().port(); }
    void start() { accept(); }
    void close() {
        beast::error_code ignored;
        acceptor_.close(ignored);
        retry_timer_.cancel();
    }

private:
    void accept() {
        acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
            self->on_accept(ec, std::move(socket));
        });
    }

    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
        if (ec) {
            // EMFILE and friends: retry shortly instead of spinning or giving up.
            core_.log("accept failed: " + ec.message());
            retry_timer_.expires_after(std::chrono::milliseconds(50));
            retry_timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
                if (!wait_ec) self->accept();
            });
            return;
        }
        if (core_.connection_count() >= core_.config.max_connections) {
            beast::error_code ignored;
            net::write(socket, net::buffer(too_many_connections), ignored);
            socket.shutdown(tcp::socket::shutdown_both, ignored);
            socket.close(ignored);
        } else {
            socket.set_option(tcp::no_delay(true), ec);
            std::make_shared<HttpSession>(std::move(socket), core_)->start();
        }
        accept();
    }

    net::io_context& ioc_;
    tcp::acceptor acceptor_;
    net::steady_timer retry_timer_;
    ServerCore& core_;
};

}  // namespace
}  // namespace detail

// --- HttpServer ---

struct HttpServer::Impl {
    detail::ServerCore core;  // declared first: destroyed after the io_context and the sessions
    std::unique_ptr<detail::net::io_context> ioc;
    std::shared_ptr<detail::Listener> listener;
    std::vector<std::thread> threads;
    bool started = false;
    bool stopped = false;
    uint16_t port = 0;
};

HttpServer::HttpServer(HttpServerConfig config) : impl_(std::make_unique<Impl>()) {
    if (config.threads == 0) throw std::invalid_argument("HttpServerConfig.threads must be at least 1");
    if (config.max_connections == 0) throw std::invalid_argument("HttpServerConfig.max_connections must be at least 1");
    if (config.ws_max_queued_messages == 0) {
        throw std::invalid_argument("HttpServerConfig.ws_max_queued_messages must be at least 1");
    }
    impl_->core.config = std::move(config);
}

HttpServer::~HttpServer() { stop(); }

namespace {

void require_not_started(bool started, std::string_view what) {
    if (started) throw std::logic_error("HttpServer: " + std::string(what) + " must be registered before start()");
}

void check_path(std::string_view path) {
    if (path.empty() || path.front() != '/') {
        throw std::invalid_argument("HttpServer: route path \"" + std::string(path) + "\" must start with '/'");
    }
}

}  // namespace

void HttpServer::route(std::string method, std::string path, Handler handler) {
    require_not_started(impl_->started, "routes");
    check_path(path);
    impl_->core.exact_routes[path].by_method[std::move(method)] = std::move(handler);
}

void HttpServer::route_prefix(std::string method, std::string prefix, Handler handler) {
    require_not_started(impl_->started, "routes");
    check_path(prefix);
    auto& routes = impl_->core.prefix_routes;
    auto it = std::find_if(routes.begin(), routes.end(), [&](const auto& entry) { return entry.first == prefix; });
    if (it == routes.end()) it = routes.insert(routes.end(), {prefix, {}});
    it->second.by_method[std::move(method)] = std::move(handler);
    std::stable_sort(routes.begin(), routes.end(),
                     [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

void HttpServer::websocket(std::string path, WebSocketRoute route) {
    require_not_started(impl_->started, "websocket routes");
    check_path(path);
    impl_->core.websocket_routes[std::move(path)] = std::move(route);
}

void HttpServer::start() {
    namespace net = detail::net;
    if (impl_->started) throw std::logic_error("HttpServer::start called twice");
    const auto& config = impl_->core.config;
    impl_->ioc = std::make_unique<net::io_context>(static_cast<int>(config.threads));

    detail::beast::error_code ec;
    auto address = net::ip::make_address(config.host, ec);
    if (ec) {
        // A host name ("localhost"): take its first address.
        detail::tcp::resolver resolver(*impl_->ioc);
        auto results = resolver.resolve(config.host, std::to_string(config.port), ec);
        if (ec || results.empty()) {
            throw std::runtime_error("cannot listen on " + config.host + ":" + std::to_string(config.port) +
                                     ": cannot resolve the host: " + ec.message());
        }
        address = results.begin()->endpoint().address();
    }
    impl_->listener = std::make_shared<detail::Listener>(*impl_->ioc, impl_->core);
    impl_->listener->listen({address, config.port});
    impl_->port = impl_->listener->port();
    impl_->listener->start();
    impl_->started = true;

    for (unsigned i = 0; i < config.threads; ++i) {
        impl_->threads.emplace_back([this] {
            // Named for top -H, perf and the benchmark's CPU accounting.
            pthread_setname_np(pthread_self(), "pn-http");
            // Handlers catch their own exceptions; anything escaping is a bug, but one bad
            // connection must not take the server down.
            for (;;) {
                try {
                    impl_->ioc->run();
                    return;
                } catch (const std::exception& e) {
                    impl_->core.log(std::string("worker thread caught: ") + e.what());
                } catch (...) {
                    impl_->core.log("worker thread caught a non-exception");
                }
            }
        });
    }
}

void HttpServer::stop() {
    if (!impl_->started || impl_->stopped) return;
    impl_->stopped = true;
    impl_->ioc->stop();
    for (auto& thread : impl_->threads) thread.join();
    impl_->threads.clear();
    // No thread runs the io_context now: close everything directly, then let the pending
    // handlers see their sockets closed (sessions finish, on_close callbacks run).
    impl_->listener->close();
    for (auto& connection : impl_->core.connections()) connection->close_socket();
    impl_->ioc->restart();
    try {
        impl_->ioc->poll();
    } catch (const std::exception& e) {
        impl_->core.log(std::string("while stopping: ") + e.what());
    }
}

uint16_t HttpServer::port() const { return impl_->port; }

size_t HttpServer::broadcast(std::string_view channel, const nlohmann::json& message) {
    return detail::broadcast_message(impl_->core, channel, detail::serialize_message(message));
}

size_t HttpServer::broadcast(const std::vector<std::string>& channels, const nlohmann::json& message) {
    return detail::broadcast_message(impl_->core, channels, detail::serialize_message(message));
}

size_t HttpServer::broadcast(const std::vector<std::string>& channels, const std::vector<nlohmann::json>& messages) {
    if (messages.size() == 1) return broadcast(channels, messages.front());
    std::string text;
    for (const nlohmann::json& message : messages) {
        if (!text.empty()) text += '\n';
        text += *detail::serialize_message(message);
    }
    return detail::broadcast_message(impl_->core, channels, std::make_shared<const std::string>(std::move(text)));
}

void HttpServer::post(std::function<void()> fn) {
    if (!impl_->ioc) throw std::logic_error("HttpServer::post before start()");
    detail::net::post(*impl_->ioc, std::move(fn));
}

size_t HttpServer::subscriber_count(std::string_view channel) const { return impl_->core.hub.count(channel); }

size_t HttpServer::connection_count() const { return impl_->core.connection_count(); }

}  // namespace provernet::coordinator
