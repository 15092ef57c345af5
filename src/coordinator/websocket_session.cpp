// Server side of the WebSocket endpoint: sessions, their bounded send queues and the hub.
#include "coordinator/server_detail.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <algorithm>
#include <deque>
#include <set>

namespace provernet::coordinator::detail {

namespace websocket = beast::websocket;

namespace {

std::atomic<uint64_t> next_connection_id{1};

// Close codes an endpoint may send (RFC 6455 7.4); anything else becomes policy_error.
uint16_t sendable_close_code(uint16_t code) {
    bool valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
    return valid ? code : static_cast<uint16_t>(websocket::close_code::policy_error);
}

// A close frame's reason is at most 123 bytes.
std::string truncate_reason(std::string reason) {
    if (reason.size() > 123) reason.resize(123);
    return reason;
}

class ConnectionHandle;

}  // namespace

class WebSocketSession final : public Connection {
public:
    WebSocketSession(beast::tcp_stream&& stream, ServerCore& core, const WebSocketRoute& route)
        : ws_(std::move(stream)),
          executor_(ws_.get_executor()),
          core_(core),
          route_(route),
          close_timer_(ws_.get_executor()),
          flush_timer_(ws_.get_executor()) {}
    ~WebSocketSession() override { core_.remove_connection(this); }

    void start(std::shared_ptr<WebSocketConnection> handle, http::request<http::string_body>&& upgrade) {
        handle_ = std::move(handle);
        core_.add_connection(shared_from_this());
        const auto& config = core_.config;
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = config.ws_handshake_timeout;
        // Beast pings after half of idle_timeout without traffic and gives up after the whole.
        timeouts.idle_timeout = config.ws_idle_timeout * 2;
        timeouts.keep_alive_pings = true;
        ws_.set_option(timeouts);
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& response) { response.set(http::field::server, "provernet"); }));
        ws_.read_message_max(config.ws_max_message_bytes);
        ws_.async_accept(upgrade, [self = self()](beast::error_code ec) { self->on_accept(ec); });
    }

    void close_socket() override { beast::get_lowest_layer(ws_).close(); }

    // Thread-safe. False when closed, or when this message overflowed the queue (the
    // connection is then being dropped).
    bool enqueue(std::shared_ptr<const std::string> text) {
        std::unique_lock lock(mutex_);
        if (state_ != State::open) return false;
        const auto& config = core_.config;
        if (queue_.size() >= config.ws_max_queued_messages ||
            queued_bytes_ + text->size() > config.ws_max_queued_bytes) {
            std::string reason = "send queue full (" + std::to_string(queue_.size()) + " messages, " +
                                 std::to_string(queued_bytes_) + " bytes): consumer too slow";
            drop_queue_locked();
            leave_channels_locked();
            state_ = State::closing;
            lock.unlock();
            request_close(static_cast<uint16_t>(websocket::close_code::policy_error), std::move(reason));
            return false;
        }
        queued_bytes_ += text->size();
        queue_.push_back(std::move(text));
        if (!writing_) {
            writing_ = true;
            lock.unlock();
            net::post(executor_, [self = self()] { self->flush_soon(); });
        }
        return true;
    }

    void subscribe(const std::string& channel) {
        std::lock_guard lock(mutex_);
        if (state_ != State::open) return;
        if (channels_.insert(channel).second) core_.hub.add(channel, self());
    }

    void unsubscribe(const std::string& channel) {
        std::lock_guard lock(mutex_);
        if (channels_.erase(channel)) core_.hub.remove(channel, this);
    }

    std::vector<std::string> channels() const {
        std::lock_guard lock(mutex_);
        return {channels_.begin(), channels_.end()};
    }

    bool is_open() const {
        std::lock_guard lock(mutex_);
        return state_ == State::open;
    }

    // Thread-safe.
    void request_close(uint16_t code, std::string reason) {
        net::post(executor_, [self = self(), code, reason = std::move(reason)]() mutable {
            self->begin_close(code, std::move(reason));
        });
    }

private:
    enum class State { connecting, open, closing, closed };

    std::shared_ptr<WebSocketSession> self() {
        return std::static_pointer_cast<WebSocketSession>(shared_from_this());
    }

    template <typename Fn>
    void call_safely(const char* what, Fn&& fn) {
        try {
            fn();
        } catch (const std::exception& e) {
            core_.log(std::string("websocket ") + what + " callback threw: " + e.what());
        } catch (...) {
            core_.log(std::string("websocket ") + what + " callback threw a non-exception");
        }
    }

    void on_accept(beast::error_code ec) {
        if (ec) return finish("handshake failed: " + ec.message());
        {
            std::lock_guard lock(mutex_);
            state_ = State::open;
        }
        opened_ = true;
        if (route_.on_open) call_safely("on_open", [&] { route_.on_open(*handle_); });
        read_next();
    }

    // One read is always pending, also while closing: it receives the peer's close reply.
    void read_next() {
        ws_.async_read(read_buffer_, [self = self()](beast::error_code ec, size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec) return finish(describe(ec));
        std::string text = beast::buffers_to_string(read_buffer_.data());
        read_buffer_.consume(read_buffer_.size());
        if (!closing_started_) handle_message(text);
        read_next();
    }

    void handle_message(const std::string& text) {
        auto message = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (message.is_discarded()) {
            enqueue(serialize_message({{"error", "message is not valid JSON"}}));
            return;
        }
        if (!route_.on_message) return;
        try {
            route_.on_message(*handle_, message);
        } catch (const std::exception& e) {
            enqueue(serialize_message({{"error", e.what()}}));
        } catch (...) {
            enqueue(serialize_message({{"error", "internal error"}}));
        }
    }

    // Writes are paced by a token bucket: one token per ws_flush_interval, at most
    // ws_flush_burst saved up. A message arriving with a token in hand goes out at once (a
    // prover learns of a request without delay at light load); past the burst, messages wait
    // for the next token and leave together (one syscall instead of one per message when events
    // stream to many subscribers at a high rate).
    void flush_soon() {
        const auto interval = core_.config.ws_flush_interval;
        if (interval.count() <= 0) return write_next();
        refill_write_tokens(interval);
        if (write_tokens_ >= 1.0) {
            write_tokens_ -= 1.0;
            return write_next();
        }
        flush_timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            (1.0 - write_tokens_) * std::chrono::duration<double, std::milli>(interval)));
        flush_timer_.async_wait([self = self()](beast::error_code ec) {
            if (ec) {
                std::lock_guard lock(self->mutex_);
                self->writing_ = false;
                return;
            }
            self->refill_write_tokens(self->core_.config.ws_flush_interval);
            self->write_tokens_ = std::max(0.0, self->write_tokens_ - 1.0);
            self->write_next();
        });
    }

    void refill_write_tokens(std::chrono::milliseconds interval) {
        const auto now = std::chrono::steady_clock::now();
        const double burst = static_cast<double>(std::max<size_t>(1, core_.config.ws_flush_burst));
        write_tokens_ = std::min(burst, write_tokens_ + std::chrono::duration<double>(now - last_refill_) /
                                                            std::chrono::duration<double>(interval));
        last_refill_ = now;
    }

    void write_next() {
        {
            std::lock_guard lock(mutex_);
            if (state_ != State::open || queue_.empty()) {
                writing_ = false;
                return;
            }
            if (queue_.size() == 1) {
                single_ = std::move(queue_.front());
                queue_.pop_front();
                in_flight_bytes_ = single_->size();
            } else {
                // Coalesce a backlog into one WebSocket message, one JSON value per line.
                constexpr size_t max_batch_bytes = 256 * 1024;
                batch_.clear();
                in_flight_bytes_ = 0;
                while (!queue_.empty() && (batch_.empty() || batch_.size() + queue_.front()->size() < max_batch_bytes)) {
                    if (!batch_.empty()) batch_ += '\n';
                    batch_ += *queue_.front();
                    in_flight_bytes_ += queue_.front()->size();
                    queue_.pop_front();
                }
            }
        }
        ws_.text(true);
        auto buffer = single_ ? net::buffer(*single_) : net::buffer(batch_);
        ws_.async_write(buffer, [self = self()](beast::error_code ec, size_t) { self->on_write(ec); });
    }

    void on_write(beast::error_code ec) {
        single_.reset();
        {
            std::lock_guard lock(mutex_);
            queued_bytes_ -= std::min(queued_bytes_, in_flight_bytes_);
            in_flight_bytes_ = 0;
            // On an error the pending read fails too and finishes the session.
            if (ec || state_ != State::open || queue_.empty()) {
                writing_ = false;
                return;
            }
        }
        flush_soon();
    }

    void drop_queue_locked() {
        queue_.clear();
        queued_bytes_ = in_flight_bytes_;
    }

    // Lock order: the session's mutex, then the hub's.
    void leave_channels_locked() {
        for (const auto& channel : channels_) core_.hub.remove(channel, this);
        channels_.clear();
    }

    void begin_close(uint16_t code, std::string reason) {
        if (closing_started_) return;
        {
            std::lock_guard lock(mutex_);
            if (state_ == State::closed) return;
            state_ = State::closing;
            drop_queue_locked();
            leave_channels_locked();  // a closing connection gets no more broadcasts
        }
        closing_started_ = true;
        close_reason_ = reason;
        // A peer that does not complete the close (or whose receive window is full, so the
        // close frame cannot even be sent) is cut off.
        close_timer_.expires_after(core_.config.ws_handshake_timeout);
        close_timer_.async_wait([self = self()](beast::error_code ec) {
            if (!ec) self->close_socket();
        });
        ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(sendable_close_code(code)),
                                                 truncate_reason(std::move(reason))),
                        [self = self()](beast::error_code) {});
    }

    std::string describe(beast::error_code ec) const {
        if (!close_reason_.empty()) return close_reason_;
        if (ec == websocket::error::closed) {
            const auto& reason = ws_.reason();
            std::string text = "closed by the client (code " + std::to_string(reason.code);
            if (!reason.reason.empty()) text += ": " + std::string(reason.reason.data(), reason.reason.size());
            return text + ")";
        }
        if (ec == websocket::error::message_too_big) {
            return "message exceeds the limit of " + std::to_string(core_.config.ws_max_message_bytes) + " bytes";
        }
        if (ec == beast::error::timeout) return "timed out (no answer to ping)";
        if (ec == net::error::operation_aborted) return "server stopping";
        return "connection lost: " + ec.message();
    }

    void finish(std::string reason) {
        if (finished_) return;
        finished_ = true;
        {
            std::lock_guard lock(mutex_);
            state_ = State::closed;
            drop_queue_locked();
            leave_channels_locked();
        }
        close_timer_.cancel();
        flush_timer_.cancel();
        close_socket();
        if (opened_ && route_.on_close) call_safely("on_close", [&] { route_.on_close(*handle_, reason); });
    }

    websocket::stream<beast::tcp_stream> ws_;
    const beast::tcp_stream::executor_type executor_;  // the connection's strand, for other threads
    ServerCore& core_;
    const WebSocketRoute& route_;
    std::shared_ptr<WebSocketConnection> handle_;
    beast::flat_buffer read_buffer_;
    net::steady_timer close_timer_;
    net::steady_timer flush_timer_;

    // Strand-only state.
    bool opened_ = false;
    bool closing_started_ = false;
    bool finished_ = false;
    std::string close_reason_;
    double write_tokens_ = 1e9;  // clamped to the burst at the first refill
    std::chrono::steady_clock::time_point last_refill_{};
    std::shared_ptr<const std::string> single_;  // the message being written, or
    std::string batch_;                           // the coalesced messages being written

    // Shared with other threads (enqueue, subscribe).
    mutable std::mutex mutex_;
    State state_ = State::connecting;
    std::deque<std::shared_ptr<const std::string>> queue_;
    size_t queued_bytes_ = 0;  // queue_ plus the write in flight
    size_t in_flight_bytes_ = 0;
    bool writing_ = false;
    std::set<std::string> channels_;
};

namespace {

// What the application holds: it refers to the session weakly, so keeping it does not keep a
// socket (or the io_context) alive.
class ConnectionHandle final : public WebSocketConnection {
public:
    ConnectionHandle(uint64_t id, Request request) : id_(id), request_(std::move(request)) {}

    uint64_t id() const override { return id_; }
    const Request& upgrade_request() const override { return request_; }
    bool send(const nlohmann::json& message) override {
        auto session = session_.lock();
        return session && session->enqueue(serialize_message(message));
    }
    void subscribe(std::string_view channel) override {
        if (auto session = session_.lock()) session->subscribe(std::string(channel));
    }
    void unsubscribe(std::string_view channel) override {
        if (auto session = session_.lock()) session->unsubscribe(std::string(channel));
    }
    std::vector<std::string> channels() const override {
        auto session = session_.lock();
        return session ? session->channels() : std::vector<std::string>{};
    }
    void close(std::string_view reason, uint16_t code) override {
        if (auto session = session_.lock()) session->request_close(code, std::string(reason));
    }
    bool is_open() const override {
        auto session = session_.lock();
        return session && session->is_open();
    }

    std::weak_ptr<WebSocketSession> session_;

private:
    uint64_t id_;
    Request request_;
};

}  // namespace

void start_websocket_session(beast::tcp_stream&& stream, ServerCore& core, const WebSocketRoute& route,
                             Request request, http::request<http::string_body>&& upgrade) {
    auto handle = std::make_shared<ConnectionHandle>(next_connection_id++, std::move(request));
    auto session = std::make_shared<WebSocketSession>(std::move(stream), core, route);
    handle->session_ = session;
    session->start(std::move(handle), std::move(upgrade));
}

std::shared_ptr<const std::string> serialize_message(const nlohmann::json& message) {
    return std::make_shared<const std::string>(message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

size_t broadcast_message(ServerCore& core, std::string_view channel, const std::shared_ptr<const std::string>& text) {
    size_t delivered = 0;
    for (const auto& session : core.hub.subscribers(channel)) delivered += session->enqueue(text) ? 1 : 0;
    return delivered;
}

size_t broadcast_message(ServerCore& core, const std::vector<std::string>& channels,
                         const std::shared_ptr<const std::string>& text) {
    if (channels.size() == 1) return broadcast_message(core, channels[0], text);
    std::vector<std::shared_ptr<WebSocketSession>> sessions;
    for (const std::string& channel : channels) {
        auto subscribers = core.hub.subscribers(channel);
        sessions.insert(sessions.end(), std::make_move_iterator(subscribers.begin()),
                        std::make_move_iterator(subscribers.end()));
    }
    std::sort(sessions.begin(), sessions.end());
    sessions.erase(std::unique(sessions.begin(), sessions.end()), sessions.end());
    size_t delivered = 0;
    for (const auto& session : sessions) delivered += session->enqueue(text) ? 1 : 0;
    return delivered;
}

// --- Hub ---

void Hub::add(const std::string& channel, const std::shared_ptr<WebSocketSession>& session) {
    std::lock_guard lock(mutex_);
    channels_[channel].emplace(session.get(), session);
}

void Hub::remove(const std::string& channel, const WebSocketSession* session) {
    std::lock_guard lock(mutex_);
    auto it = channels_.find(channel);
    if (it == channels_.end()) return;
    it->second.erase(session);
    if (it->second.empty()) channels_.erase(it);
}

std::vector<std::shared_ptr<WebSocketSession>> Hub::subscribers(std::string_view channel) const {
    std::vector<std::shared_ptr<WebSocketSession>> live;
    std::lock_guard lock(mutex_);
    auto it = channels_.find(channel);
    if (it == channels_.end()) return live;
    live.reserve(it->second.size());
    for (const auto& [key, weak] : it->second) {
        if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    return live;
}

size_t Hub::count(std::string_view channel) const {
    std::lock_guard lock(mutex_);
    auto it = channels_.find(channel);
    return it == channels_.end() ? 0 : it->second.size();
}

}  // namespace provernet::coordinator::detail
