// Internals shared by http_server.cpp and websocket_session.cpp (includes Beast: never include
// this from a public header).
#pragma once

#include "coordinator/http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/message.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <unordered_map>

namespace provernet::coordinator::detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;

class WebSocketSession;

// A connection the server can cut when it stops (HTTP or WebSocket session).
class Connection : public std::enable_shared_from_this<Connection> {
public:
    virtual ~Connection() = default;
    // Closes the socket at once. Called only while no thread runs the io_context.
    virtual void close_socket() = 0;
};

// Channel -> subscribed WebSocket sessions. Lock order: a session's mutex, then the hub's.
class Hub {
public:
    void add(const std::string& channel, const std::shared_ptr<WebSocketSession>& session);
    void remove(const std::string& channel, const WebSocketSession* session);
    std::vector<std::shared_ptr<WebSocketSession>> subscribers(std::string_view channel) const;
    size_t count(std::string_view channel) const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::unordered_map<const WebSocketSession*, std::weak_ptr<WebSocketSession>>,
             std::less<>>
        channels_;
};

struct MethodHandlers {
    std::map<std::string, Handler> by_method;
};

// State shared by the listener and every session. Outlives them all: HttpServer::Impl destroys
// the io_context (and with it every session) before the core.
struct ServerCore {
    HttpServerConfig config;
    std::map<std::string, MethodHandlers, std::less<>> exact_routes;
    std::vector<std::pair<std::string, MethodHandlers>> prefix_routes;  // longest prefix first
    std::map<std::string, WebSocketRoute, std::less<>> websocket_routes;
    Hub hub;

    void log(std::string_view message) const;

    // Live connections, for max_connections and for stop().
    void add_connection(const std::shared_ptr<Connection>& connection);
    void remove_connection(const Connection* connection);
    size_t connection_count() const;
    std::vector<std::shared_ptr<Connection>> connections() const;

private:
    mutable std::mutex connections_mutex_;
    std::unordered_map<const Connection*, std::weak_ptr<Connection>> connections_;
};

// Takes over an HTTP connection whose upgrade request was accepted by `route`.
void start_websocket_session(beast::tcp_stream&& stream, ServerCore& core, const WebSocketRoute& route,
                             Request request, http::request<http::string_body>&& upgrade);

// Serialized once for all subscribers.
std::shared_ptr<const std::string> serialize_message(const nlohmann::json& message);
size_t broadcast_message(ServerCore& core, std::string_view channel,
                         const std::shared_ptr<const std::string>& text);
size_t broadcast_message(ServerCore& core, const std::vector<std::string>& channels,
                         const std::shared_ptr<const std::string>& text);

}  // namespace provernet::coordinator::detail
